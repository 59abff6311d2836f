/// The one stylesheet of both UIs: system fonts, light and dark (following the system setting),
/// task-state colours as Airflow's, readable at 1280×800 and on a phone.
enum Stylesheet {
    static let css = """
        :root { color-scheme: light dark; --bg: #ffffff; --fg: #1d2330; --muted: #5b6474; --line: #d8dde6; --panel: #f5f7fa;
          --accent: #1c5fd1; --accent-fg: #ffffff; --danger: #b42318; --ok: #1a7f37; --warn: #9a6700; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #12161d; --fg: #e6e9ef; --muted: #a3acba; --line: #2d3440; --panel: #1a2029; --accent: #6ea8ff; --accent-fg: #0b1220;
            --danger: #ff8a80; --ok: #6fdc8c; --warn: #f5c451; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--panel); }
        header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); font-size: 1.1rem; }
        header.top nav { display: flex; gap: 1rem; flex: 1; }
        header.top nav a { text-decoration: none; }
        header.top form.logout { display: flex; gap: .5rem; align-items: center; color: var(--muted); }
        main { padding: 1rem 1.2rem 3rem; max-width: 1400px; margin: 0 auto; }
        main { overflow-wrap: anywhere; } .table-wrap { overflow-wrap: normal; }
        h1 { font-size: 1.4rem; margin: .4rem 0 1rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
        .muted { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: .85rem; }
        .table-wrap { overflow-x: auto; }
        .tag { display: inline-block; padding: 0 .45rem; border-radius: 999px; background: var(--panel); border: 1px solid var(--line); font-size: .8rem; margin: 0 .2rem .2rem 0; }
        button, .button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); color: var(--fg); cursor: pointer; text-decoration: none; display: inline-block; }
        button.primary, .button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
        button.danger { color: var(--danger); }
        form.inline { display: inline; }
        label { display: block; font-weight: 600; margin-top: .8rem; }
        input[type=text], input[type=password], input[type=number], select, textarea { font: inherit; width: 100%; max-width: 36rem; padding: .4rem .5rem;
          border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
        textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; min-height: 8rem; }
        .field-error, .error { color: var(--danger); font-weight: 600; }
        .banner { border: 1px solid var(--danger); border-radius: 8px; padding: .6rem .9rem; margin: 0 0 1rem; }
        .banner.notice { border-color: var(--ok); }
        ul.tree { list-style: none; padding-left: 1.1rem; margin: .2rem 0; } main > ul.tree { padding-left: 0; }
        ul.tree summary { cursor: pointer; }
        .banner ul { margin: .3rem 0 0; padding-left: 1.2rem; }
        .card { border: 1px solid var(--line); border-radius: 10px; padding: 1rem; background: var(--panel); }
        .login { max-width: 24rem; margin: 4rem auto; }
        pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
        pre { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
        .state { display: inline-block; width: 14px; height: 14px; border-radius: 3px; border: 1px solid rgba(0,0,0,.25); vertical-align: middle; background: #ffffff; }
        .state.success { background: #008000; } .state.failed { background: #ff0000; } .state.running { background: #01ff70; }
        .state.queued { background: #808080; } .state.scheduled { background: #d2b48c; } .state.up_for_retry { background: #ffd700; }
        .state.upstream_failed { background: #ffa500; } .state.skipped { background: #ff69b4; } .state.deferred { background: #9370db; }
        .state.removed { background: #d3d3d3; } .state.restarting { background: #ee82ee; } .state.none { background: transparent; }
        .label-state { font-size: .8rem; padding: 0 .4rem; border-radius: 4px; border: 1px solid var(--line); }
        table.grid { width: auto; }
        .grid td { padding: 2px 3px; border: none; text-align: center; }
        .grid th { font-weight: 500; white-space: nowrap; padding: 2px 3px; }
        .grid thead th { text-align: center; }
        .grid tbody th { padding-right: 1rem; }
        .grid a.state { width: 18px; height: 18px; }
        .squares a { margin-right: 2px; }
        .tabs { display: flex; gap: .3rem; border-bottom: 1px solid var(--line); margin: .6rem 0 1rem; flex-wrap: wrap; }
        .tabs a { padding: .4rem .8rem; text-decoration: none; border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; }
        .tabs a[aria-current=page] { border-color: var(--line); background: var(--panel); color: var(--fg); }
        .filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
        .filters input { width: 14rem; } .filters input.wide { width: 28rem; }
        .filters > div, .filters input { max-width: 100%; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
        tr.differs th, tr.differs td { background: color-mix(in srgb, var(--warn) 14%, transparent); }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: middle; }
        svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
        @media (max-width: 700px) { main { padding: .8rem; } .hide-narrow { display: none; } th, td { padding: .35rem .3rem; } }
        """
}
