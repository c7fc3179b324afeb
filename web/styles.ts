/** The dashboard's stylesheet (injected once by main.tsx; the bundle is the only asset). */
export const STYLES = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #1b2a41; color: #fff; flex-wrap: wrap; }
header a { color: #fff; }
header a[aria-current=page] { font-weight: 700; text-decoration-thickness: 3px; }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.actor { margin-left: auto; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1:focus { outline: none; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f5a524; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; background: #fff; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d8dde3; vertical-align: top; }
td { overflow-wrap: anywhere; }
.phase, .weights .legend, th { white-space: nowrap; overflow-wrap: normal; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.updated { color: #4a5563; font-size: .9rem; }
.error { color: #a4161a; }
.phase { display: inline-block; padding: 0 .45rem; border-radius: .6rem; border: 1px solid currentColor; font-weight: 600; }
.phase-Healthy { color: #1a7f37; } .phase-Paused { color: #9a6700; } .phase-Progressing { color: #0550ae; }
.phase-RolledBack, .phase-Failed, .phase-Aborted, .phase-Aborting { color: #a4161a; }
.verdict-pass { color: #1a7f37; } .verdict-fail, .verdict-error { color: #a4161a; } .verdict-inconclusive { color: #9a6700; }
.weights { display: flex; align-items: center; gap: .8rem; }
.bar { display: flex; flex: none; width: 160px; height: 14px; border: 1px solid #8c959f; background: #fff; }
.bar .stable { background: #8c959f; } .bar .canary { background: #0969da; }
.chart { position: relative; height: 220px; max-width: 720px; background: #fff; padding: .4rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .6rem 0; }
button { font: inherit; padding: .3rem .8rem; border-radius: .3rem; border: 1px solid #57606a; background: #fff; cursor: pointer; }
button.primary { background: #0969da; color: #fff; border-color: #0969da; }
button.danger { border-color: #a4161a; color: #a4161a; }
button:disabled { opacity: .5; cursor: not-allowed; }
dialog { border: 1px solid #57606a; border-radius: .4rem; max-width: 30rem; }
dialog::backdrop { background: rgb(0 0 0 / .35); }
label.block { display: block; margin: .5rem 0; }
label.block > input, label.block > textarea, label.block > select { display: block; width: 100%; box-sizing: border-box; margin-top: .2rem; }
input.block, textarea.block, select.block { display: block; width: 100%; max-width: 40rem; box-sizing: border-box; margin-bottom: .6rem; }
textarea { font-family: ui-monospace, monospace; }
.notice { padding: .5rem .8rem; background: #fff; border-left: 4px solid #0969da; }
.notice.error { border-color: #a4161a; }
dl.result { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; background: #fff; padding: .6rem; }
dl.result dt { font-weight: 600; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
`;
