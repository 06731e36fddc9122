// Make's SDK, unchanged except for speaking plain HTTP to the test's server, reading an organization with its
// own retry on server errors while the database is down. Prints one JSON line: what it got and how long it took.
// Environment: SDK (path of @makehq/sdk's dist/index.js), ZONE (host:port), TOKEN, ORG.
const { Make } = await import(process.env.SDK);
const make = new Make(process.env.TOKEN, process.env.ZONE, { retry: { onServerError: true } });
make.protocol = 'http';
const started = Date.now();
try {
    const org = await make.organizations.get(Number(process.env.ORG));
    console.log(JSON.stringify({ ok: true, name: org.name, ms: Date.now() - started }));
} catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e?.message ?? e), ms: Date.now() - started }));
}
