// The abuse suite's Node contender: the seed's http2 program with allowHTTP1, so h2 and HTTP/1.1 share one TLS port
// as they do on Roost and nginx. PORT and SSL_DIR come from benchmarks/abuse/run.sh; 127.0.0.1 only. Node's own
// defaults otherwise (headersTimeout, requestTimeout, maxSessionMemory…): what a Node user runs.
const http2 = require('http2');
const fs = require('fs');
const ssl = process.env.SSL_DIR || './ssl';
const port = Number(process.env.PORT || 8081);

http2.createSecureServer({
    allowHTTP1: true,
    cert: fs.readFileSync(`${ssl}/edasan.goe.go.kr.cer`),
    key: fs.readFileSync(`${ssl}/edasan.goe.go.kr.key`),
    ca: [fs.readFileSync(`${ssl}/new_rootca.cer`), fs.readFileSync(`${ssl}/new_caChain_change.cer`)],
}, (req, res) => {
    res.write('<h1>hello Node</h1>');
    res.end('<p>hello server!</p>');
}).listen(port, '127.0.0.1', () => {
    console.log(`listening on ${port}`);
});
