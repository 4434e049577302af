// What a chart's templates read from .Values: exact paths, and paths whose whole subtree they copy
// (toYaml, range, with, tpl, include, assignment), below which any key is accepted.
// Hand-written: no JS library parses Go templates; a scan of `{{ … }}` actions is what this check needs.

/**
 * Joins the keys of a path in TemplateReads. Not a dot: `index .Values "grafana.ini"` reads one key, and a
 * release's `storageClass.setToDefault:` is one key too (which Helm never splits), not two.
 */
export const KEY_SEPARATOR = "\u0000";

export interface TemplateReads {
  /** Paths the templates read (`csi` `storageClass` `setToDefault`, joined by KEY_SEPARATOR). */
  readonly read: ReadonlySet<string>;
  /** Paths whose subtree is copied or iterated whole. */
  readonly open: ReadonlySet<string>;
}

const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
const DOTTED = /\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;
const INDEXED = /index\s+\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)((?:\s+"[^"]*")+)/g;
/** Functions and keywords after which a value's subtree is used as a whole. */
const WHOLE =
  /\b(?:toYaml|toJson|toPrettyJson|toRawJson|range|with|tpl|include|merge|mergeOverwrite|deepCopy|omit|pick|keys|values|dict|list|set|unset)\b|:=|(?<![=!<>])=(?!=)/;

export function readTemplates(templates: readonly string[]): TemplateReads {
  const read = new Set<string>();
  const open = new Set<string>();
  for (const template of templates) {
    for (const action of template.matchAll(ACTION)) {
      const body = action[1] ?? "";
      if (!body.includes(".Values")) continue;
      const whole = WHOLE.test(body);
      const paths: string[][] = [];
      for (const match of body.matchAll(DOTTED)) paths.push((match[1] ?? "").slice(1).split("."));
      for (const match of body.matchAll(INDEXED)) {
        const keys = [...(match[2] ?? "").matchAll(/"([^"]*)"/g)].map((key) => key[1] ?? "");
        paths.push([...(match[1] ?? "").split("."), ...keys].filter(Boolean));
      }
      for (const keys of paths) {
        if (keys.length === 0) continue;
        const path = keys.join(KEY_SEPARATOR);
        read.add(path);
        if (whole) open.add(path);
      }
    }
  }
  return { read, open };
}
