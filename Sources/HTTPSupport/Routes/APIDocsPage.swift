/// The interactive API documentation page served at `/docs`.
///
/// One self-contained HTML page (inline CSS and JavaScript, no external resources, so it works with
/// no internet access) that loads the service's OpenAPI document and renders every operation with a
/// form to send it from the browser: path and query parameters, a JSON body editor prefilled with
/// the documented example, the response's status, headers, body and time, and the equivalent curl.
enum APIDocsPage {
    static func html(title: String, documentURL: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>\(escapeHTML(title)) · API docs</title>
        <style>\(stylesheet)</style>
        </head>
        <body>
        <header><h1 id="title">\(escapeHTML(title))</h1><p id="info"></p>
        <p class="muted">OpenAPI document: <a href="\(escapeHTML(documentURL))">\(escapeHTML(documentURL))</a></p></header>
        <main id="operations" data-document="\(escapeHTML(documentURL))"><p>Loading…</p></main>
        <section id="schemas"></section>
        <script>\(script)</script>
        </body>
        </html>
        """
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let stylesheet = """
        :root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5b6578;--line:#d8dde6;--card:#f6f8fb;
        --get:#1f6feb;--post:#1a7f37;--put:#9a6700;--patch:#8250df;--delete:#cf222e;--code:#eef1f5}
        @media (prefers-color-scheme:dark){:root{--bg:#12151b;--fg:#e4e8ef;--muted:#9aa4b5;--line:#2d3440;
        --card:#1a1f27;--code:#222935}}
        *{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:1.5rem;font:15px/1.5 system-ui,
        -apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
        h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid var(--line)}.muted{color:var(--muted)}
        a{color:var(--get)}details{border:1px solid var(--line);border-radius:8px;margin:.6rem 0;background:var(--card)}
        summary{cursor:pointer;padding:.6rem .8rem;display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
        summary:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:2px solid var(--get)}
        select{margin-bottom:.4rem;padding:.3rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
        .method{font-weight:700;min-width:4.5rem;text-align:center;border-radius:4px;padding:.1rem .4rem;color:#fff;
        font-size:.8rem}.get{background:var(--get)}.post{background:var(--post)}.put{background:var(--put)}
        .patch{background:var(--patch)}.delete{background:var(--delete)}.head,.options{background:var(--muted)}
        .path{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}.body{padding:0 1rem 1rem}
        label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,textarea{width:100%;font:13px ui-monospace,
        Menlo,Consolas,monospace;padding:.4rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);
        color:var(--fg)}textarea{min-height:7rem}button{margin-top:.8rem;padding:.45rem 1.1rem;border:0;border-radius:4px;
        background:var(--post);color:#fff;font-weight:600;cursor:pointer}pre{background:var(--code);padding:.6rem;
        border-radius:4px;overflow:auto;max-height:24rem;font-size:13px}table{border-collapse:collapse;width:100%}
        td,th{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
        code{font-family:ui-monospace,Menlo,Consolas,monospace}.status-ok{color:var(--post)}.status-err{color:var(--delete)}
        """

    static let script = #"""
        "use strict";
        const main = document.getElementById("operations");
        const el = (tag, attrs = {}, ...children) => {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs)) {
            if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
            else node.setAttribute(k, v);
          }
          for (const c of children) if (c !== null && c !== undefined) node.append(c);
          return node;
        };
        let documentRoot = {};
        const resolve = (schema) => {
          let s = schema || {};
          for (let i = 0; i < 16 && s.$ref; i++) {
            s = s.$ref.replace(/^#\//, "").split("/").reduce((o, k) => (o || {})[k], documentRoot) || {};
          }
          return s;
        };
        const describeType = (schema) => {
          const s = resolve(schema);
          if (schema && schema.$ref) return schema.$ref.split("/").pop();
          if (s.type === "array") return "array of " + describeType(s.items);
          const parts = [Array.isArray(s.type) ? s.type.join(" | ") : (s.type || "any")];
          for (const k of ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems", "default"]) {
            if (s[k] !== undefined) parts.push(k + " " + JSON.stringify(s[k]));
          }
          return parts.join(", ");
        };
        const exampleFor = (media) => {
          if (!media) return undefined;
          if (media.example !== undefined) return media.example;
          if (media.examples) { const first = Object.values(media.examples)[0]; if (first) return first.value; }
          const s = resolve(media.schema);
          if (s.example !== undefined) return s.example;
          if (s.examples && s.examples.length) return s.examples[0];
          return undefined;
        };
        const curlFor = (method, url, body) => {
          let cmd = "curl -X " + method + " '" + url + "'";
          if (body !== undefined) cmd += " -H 'Content-Type: application/json' -d '" + body.replace(/'/g, "'\\''") + "'";
          return cmd;
        };
        function renderOperation(path, method, op) {
          const opId = op.operationId || (method + path).replace(/[^A-Za-z0-9_-]/g, "_");
          const params = (op.parameters || []).map((p) => {
            const input = el("input", { id: opId + "-" + p.name, name: p.name,
              placeholder: p.schema && p.schema.default !== undefined ? String(p.schema.default) : "" });
            return { spec: p, input, label: el("label", { for: input.id }, p.name + " (" + p.in + (p.required ? ", required" : "") + ")") };
          });
          const media = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
          let bodyInput = null, exampleChooser = null;
          if (media) {
            const example = exampleFor(media);
            bodyInput = el("textarea", { id: opId + "-body", spellcheck: "false" });
            bodyInput.value = example === undefined ? "{}" : JSON.stringify(example, null, 2);
            const named = Object.entries(media.examples || {});
            if (named.length > 1) {
              exampleChooser = el("select", { "aria-label": "Example body", onchange: (e) => {
                bodyInput.value = JSON.stringify(media.examples[e.target.value].value, null, 2); } },
                ...named.map(([key, ex]) => el("option", { value: key }, ex.summary || key)));
            }
          }
          const output = el("div", { "aria-live": "polite" });
          const send = async () => {
            let url = path;
            const query = new URLSearchParams();
            for (const p of params) {
              const value = p.input.value.trim();
              if (p.spec.in === "path") url = url.replace("{" + p.spec.name + "}", encodeURIComponent(value));
              else if (value !== "") query.append(p.spec.name, value);
            }
            const qs = query.toString();
            const target = url + (qs ? "?" + qs : "");
            const init = { method: method.toUpperCase(), headers: {} };
            if (bodyInput) { init.body = bodyInput.value; init.headers["Content-Type"] = "application/json"; }
            output.replaceChildren(el("p", { class: "muted" }, "Sending…"));
            const started = performance.now();
            try {
              const response = await fetch(target, init);
              const text = await response.text();
              const elapsed = (performance.now() - started).toFixed(1);
              let shown = text;
              try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) {}
              const headers = [...response.headers.entries()].map(([k, v]) => k + ": " + v).join("\n");
              output.replaceChildren(
                el("p", { class: response.ok ? "status-ok" : "status-err" },
                  el("strong", {}, response.status + " " + response.statusText), " in " + elapsed + " ms"),
                el("label", {}, "Response body"), el("pre", { class: "response-body" }, shown),
                el("label", {}, "Response headers"), el("pre", {}, headers),
                el("label", {}, "curl"), el("pre", {}, curlFor(init.method, location.origin + target, init.body)));
            } catch (error) {
              output.replaceChildren(el("p", { class: "status-err" }, "Request failed: " + error));
            }
          };
          const responses = el("table", {}, el("tr", {}, el("th", {}, "Status"), el("th", {}, "Description"), el("th", {}, "Example")));
          for (const [code, r] of Object.entries(op.responses || {})) {
            const content = r.content && (r.content["application/json"] || Object.values(r.content)[0]);
            const ex = exampleFor(content);
            responses.append(el("tr", {}, el("td", {}, el("code", {}, code)), el("td", {}, r.description || ""),
              el("td", {}, ex === undefined ? "" : el("pre", {}, JSON.stringify(ex, null, 2)))));
          }
          return el("details", { id: opId },
            el("summary", {}, el("span", { class: "method " + method }, method.toUpperCase()),
              el("span", { class: "path" }, path), el("span", { class: "muted" }, op.summary || "")),
            el("div", { class: "body" },
              op.description ? el("p", {}, op.description) : null,
              ...params.flatMap((p) => [p.label, p.input]),
              bodyInput ? el("label", { for: bodyInput.id }, "Request body (JSON)") : null, exampleChooser, bodyInput,
              el("button", { type: "button", onclick: send }, "Send request"), output,
              el("h4", {}, "Responses"), responses));
        }
        function renderSchemas() {
          const schemas = (documentRoot.components || {}).schemas || {};
          const section = document.getElementById("schemas");
          if (!Object.keys(schemas).length) return;
          section.append(el("h2", {}, "Schemas"));
          for (const [name, schema] of Object.entries(schemas)) {
            const rows = el("table", {}, el("tr", {}, el("th", {}, "Field"), el("th", {}, "Type"), el("th", {}, "Description")));
            const required = new Set(schema.required || []);
            for (const [field, fs] of Object.entries(schema.properties || {})) {
              rows.append(el("tr", {}, el("td", {}, el("code", {}, field), required.has(field) ? " *" : ""),
                el("td", {}, describeType(fs)), el("td", {}, (fs.description || resolve(fs).description || ""))));
            }
            section.append(el("details", { id: "schema-" + name }, el("summary", {}, el("span", { class: "path" }, name),
              el("span", { class: "muted" }, schema.description || "")), el("div", { class: "body" }, rows)));
          }
        }
        fetch(main.dataset.document).then((r) => r.json()).then((doc) => {
          documentRoot = doc;
          const info = doc.info || {};
          document.getElementById("title").textContent = info.title || document.title;
          document.getElementById("info").textContent = (info.version ? "Version " + info.version + ". " : "") + (info.description || "");
          main.replaceChildren(el("h2", {}, "Operations"));
          for (const [path, item] of Object.entries(doc.paths || {})) {
            for (const method of ["get", "put", "post", "patch", "delete", "head", "options"]) {
              if (item[method]) main.append(renderOperation(path, method, item[method]));
            }
          }
          renderSchemas();
          if (location.hash) { const target = document.querySelector(location.hash); if (target) target.open = true; }
        }).catch((error) => { main.replaceChildren(el("p", { class: "status-err" }, "Could not load the API document: " + error)); });
        """#
}
