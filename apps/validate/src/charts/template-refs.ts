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

// The patterns live inside the function, not in module constants: a constant is built once at import, where
// mutation testing (ignoreStatic) cannot reach it; a literal in a function is still compiled once by the engine.
export function readTemplates(templates: readonly string[]): TemplateReads {
  const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
  const DOTTED = /\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;
  const INDEXED = /index\s+\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)((?:\s+"[^"]*")+)/g;
  /** Functions and keywords after which a value's subtree is used as a whole. */
  const WHOLE =
    /\b(?:toYaml|toJson|toPrettyJson|toRawJson|range|with|tpl|include|merge|mergeOverwrite|deepCopy|omit|pick|keys|values|dict|list|set|unset)\b|:=|(?<![=!<>])=(?!=)/;
  const read = new Set<string>();
  const open = new Set<string>();
  for (const template of templates) {
    for (const action of template.matchAll(ACTION)) {
      // Every group of these patterns takes part in each match (possibly empty): `as string`, not a fallback.
      const body = action[1] as string;
      if (!body.includes(".Values")) continue;
      const whole = WHOLE.test(body);
      const paths: string[][] = [];
      for (const match of body.matchAll(DOTTED)) paths.push((match[1] as string).slice(1).split("."));
      for (const match of body.matchAll(INDEXED)) {
        const keys = [...(match[2] as string).matchAll(/"([^"]*)"/g)].map((key) => key[1] as string);
        paths.push([...(match[1] as string).split("."), ...keys].filter(Boolean));
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
