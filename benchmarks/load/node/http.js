// The seed handler over cleartext HTTP/1.1 (Node's http module), single process: the cleartext contender.
// The note's cluster programs use the same http.createServer with a slightly different body; the cluster
// contenders come with the cluster benchmark (issue 6). Port from PORT; listens on 127.0.0.1 only.
const http = require('http');
const port = Number(process.env.PORT || 8081);

http.createServer((req,res) =>{
    res.write('<h1>hello Node</h1>');
    res.end('<p>hello server!</p>');
}).listen(port, '127.0.0.1', () =>{
    console.log(`${port}포트 대기중`);
});
