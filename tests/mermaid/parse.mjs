// Parses Mermaid diagrams with mermaid's own parser: reads a JSON array of diagram texts on
// stdin, prints a JSON array of {ok, error, vertices, edges}. Run by tests/markdown.rs from
// a directory holding node_modules/mermaid (it copies this file there).
import DOMPurify from 'dompurify';

// No DOM in node: DOMPurify is inert there, and mermaid calls it while parsing labels.
// Sanitizing is not under test here, the grammar is.
DOMPurify.addHook ??= () => {};
DOMPurify.removeHook ??= () => {};
DOMPurify.removeHooks ??= () => {};
DOMPurify.removeAllHooks ??= () => {};
DOMPurify.sanitize ??= (s) => s;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const text of JSON.parse(input)) {
  try {
    await mermaid.parse(text);
    const d = await mermaid.mermaidAPI.getDiagramFromText(text);
    const v = d.db.getVertices();
    out.push({
      ok: true,
      type: d.type,
      vertices: [...(v instanceof Map ? v.keys() : Object.keys(v))],
      edges: d.db.getEdges().length,
    });
  } catch (e) {
    out.push({ ok: false, error: String(e.message || e).split('\n').slice(0, 4).join('\n') });
  }
}
process.stdout.write(JSON.stringify(out));
