// YAML laid out like Talos (go-yaml v3) writes it: what `talosctl gen config` users are used to reading.
import { Document, Scalar, visit } from "yaml";

/** 4-space indent, no line folding, single quotes where quoting is needed, `""` for empty strings. */
export function stringifyGoYaml(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_key, node) {
      if (node.value === "") node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString({ indent: 4, lineWidth: 0, singleQuote: true });
}
