// The floor under the ready time: how long this browser on this machine
// takes from navigation start to running a page's (empty) module script.
window.plabReady = { reply: "PONG", fromNavigation: performance.now(), fromImport: 0, importMs: 0, openMs: 0 };
