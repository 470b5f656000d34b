// The study note's https program, as in the note. For the benchmark only: the port comes from PORT, the
// certificate folder from SSL_DIR (default ./ssl, the note's paths), and it listens on 127.0.0.1 only.
const https = require('https');
const fs = require('fs');
const ssl = process.env.SSL_DIR || './ssl';
const port = Number(process.env.PORT || 443);

https.createServer({
    cert : fs.readFileSync(`${ssl}/edasan.goe.go.kr.cer`), //SSL 인증서 경로
    key : fs.readFileSync(`${ssl}/edasan.goe.go.kr.key`), //비밀키 경로
    ca : [
        fs.readFileSync(`${ssl}/new_rootca.cer`), //상위 인증서 경로
        fs.readFileSync(`${ssl}/new_caChain_change.cer`)  //상위 인증서 경로
    ],
}, (req,res) =>{
    res.write('<h1>hello Node</h1>');
    res.end('<p>hello server!</p>');
}).listen(port, '127.0.0.1', () =>{
    console.log(`${port}포트 대기중`);
});
