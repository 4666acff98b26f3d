/** HTML building blocks of the dashboard: escaping, the page frame, tables. */

/** Text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A URL path from plain segments, each percent-encoded. */
export function href(...segments: string[]): string {
  return "/" + segments.map(encodeURIComponent).join("/");
}

export function table(head: string[], rows: string[][]): string {
  const cells = (tag: string, values: string[]) =>
    values.map((value) => `<${tag}>${value}</${tag}>`).join("");
  return `<table><thead><tr>${cells("th", head)}</tr></thead><tbody>${
    rows.map((row) => `<tr>${cells("td", row)}</tr>`).join("")
  }</tbody></table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:left}
th{background:#f4f4f4}.PASS{color:#176f2c;font-weight:bold}.FAIL{color:#a3201b;font-weight:bold}
.INCONCLUSIVE{color:#8a6d00;font-weight:bold}.chart{margin:1em 0}nav a{margin-right:1em}
img.figure{max-width:100%;border:1px solid #eee}`;

/** A whole page: title, navigation, body; `scripts` are URLs loaded at the end. */
export function page(title: string, body: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${
    escapeHtml(title)
  }</title>
<style>${STYLE}</style></head>
<body><nav><a href="/">experiments and results</a></nav>
<h1>${escapeHtml(title)}</h1>
${body}
${scripts.map((src) => `<script src="${escapeHtml(src)}"></script>`).join("\n")}
</body></html>
`;
}
