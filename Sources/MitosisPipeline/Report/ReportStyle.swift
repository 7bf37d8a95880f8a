/// The report's stylesheet: system fonts, quiet colours, tables with tabular figures; prints cleanly.
enum ReportStyle {
    static let css = """
    :root { --ink:#212529; --muted:#6c757d; --line:#dee2e6; --soft:#f5f7f9; --accent:#1f77b4; --good:#2f9e44; --bad:#e03131; }
    * { box-sizing: border-box; }
    body { margin:0; font:14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--ink); background:#eef1f4; }
    header.top { background:#1d2b3a; color:#fff; padding:28px 40px 24px; }
    header.top h1 { margin:0 0 4px; font-size:26px; font-weight:600; letter-spacing:.2px; }
    header.top .sub { margin:0; color:#b8c4d0; font-size:13px; }
    .cards { display:flex; flex-wrap:wrap; gap:14px; margin-top:20px; }
    .card { background:rgba(255,255,255,.08); border:1px solid rgba(255,255,255,.14); border-radius:8px; padding:12px 18px; min-width:150px; }
    .card .label { font-size:11px; text-transform:uppercase; letter-spacing:.8px; color:#b8c4d0; }
    .card .value { font-size:26px; font-weight:600; font-variant-numeric:tabular-nums; }
    .card .detail { font-size:12px; color:#b8c4d0; }
    .card.key .value { color:#8fd3ff; }
    .delta.up { color:#69db7c; } .delta.down { color:#ff8787; }
    main { max-width:1240px; margin:0 auto; padding:24px 40px 48px; }
    nav.toc { font-size:13px; margin-bottom:8px; } nav.toc a { color:var(--accent); margin-right:14px; text-decoration:none; }
    section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:20px 24px; margin:18px 0; }
    h2 { margin:0 0 12px; font-size:19px; font-weight:600; }
    h3 { margin:20px 0 8px; font-size:15px; font-weight:600; }
    p.note { color:var(--muted); font-size:13px; margin:4px 0 12px; }
    table { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0 12px; }
    th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
    th { background:var(--soft); font-weight:600; font-size:12px; color:#495057; white-space:nowrap; }
    td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
    tbody tr:nth-child(even) td { background:#fafbfc; }
    tfoot td { font-weight:600; background:var(--soft); border-top:2px solid var(--line); }
    .charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(460px, 1fr)); gap:14px; }
    .charts svg { width:100%; height:auto; border:1px solid var(--line); border-radius:6px; }
    .legendrow { display:flex; flex-wrap:wrap; gap:18px; font-size:13px; margin:4px 0 14px; align-items:center; }
    .swatch { display:inline-block; width:14px; height:14px; border-radius:50%; border:3px solid; vertical-align:-2px; margin-right:6px; }
    .colorbar { height:12px; width:160px; vertical-align:middle; margin:0 6px; border:1px solid var(--line); }
    .gallery { display:grid; grid-template-columns:repeat(auto-fill, minmax(360px, 1fr)); gap:14px; }
    figure.tile { margin:0; border:1px solid var(--line); border-radius:6px; overflow:hidden; background:#fff; }
    figure.tile .pics { display:grid; grid-template-columns:1fr 1fr; gap:2px; background:var(--line); }
    figure.tile img { width:100%; height:auto; display:block; image-rendering:auto; background:#000; }
    figure.tile figcaption { padding:8px 10px; font-size:12px; }
    figure.tile .name { font-weight:600; font-size:13px; }
    figure.tile .meta { color:var(--muted); }
    .counts span { margin-right:10px; font-variant-numeric:tabular-nums; }
    .tp { color:var(--good); } .fp { color:#e8590c; } .fn { color:#1c7ed6; }
    .score { display:inline-block; min-width:22px; text-align:center; border-radius:4px; padding:0 6px; font-weight:600; color:#fff; }
    .score.s1 { background:#2f9e44; } .score.s2 { background:#f08c00; } .score.s3 { background:#e03131; }
    table.settings th { width:220px; background:var(--soft); }
    pre { background:#1d2b3a; color:#e9ecef; padding:12px 14px; border-radius:6px; overflow-x:auto; font-size:12.5px; line-height:1.45; }
    footer { text-align:center; color:var(--muted); font-size:12px; padding:8px 0 28px; }
    @media print { body { background:#fff; } section { break-inside:avoid; border:none; } header.top { color:#000; background:#fff; } }
    """
}
