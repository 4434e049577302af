import { parseAllDocuments, isMap, isSeq, isScalar, isPair } from "yaml";
const src = `# head doc

# first key head
a: 1 # inline a
b: # line on key b
  # inside b head
  c: 2
  # foot of c
d:
  - x # inline x
  # before y
  - y
  # foot seq
# foot at top
e: f
# end of doc
`;
const docs = parseAllDocuments(src, { schema: "failsafe" });
function dump(node, ind = "") {
  const c = (n) => n ? JSON.stringify({cb: n.commentBefore, c: n.comment, sb: n.spaceBefore}) : "";
  if (isMap(node)) { console.log(ind + "MAP " + c(node)); for (const p of node.items) { console.log(ind + " KEY " + p.key.value + " " + c(p.key)); dump(p.value, ind + "  "); } }
  else if (isSeq(node)) { console.log(ind + "SEQ " + c(node)); for (const i of node.items) dump(i, ind + "  "); }
  else console.log(ind + "SCALAR " + JSON.stringify(node?.value) + " " + node?.type + " " + c(node));
}
for (const d of docs) { console.log("DOC", JSON.stringify({cb: d.commentBefore, c: d.comment})); dump(d.contents); }
