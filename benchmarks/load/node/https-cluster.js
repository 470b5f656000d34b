// The HTTPS cluster a Node user writes from the note: the note's cluster program (one worker per CPU) with its
// https program (seed handler, certificate + key + ca chain) in each worker. Not in the note itself; the
// benchmark's Node anchor for HTTP/1.1 over TLS on every core. Port from PORT, certificates from SSL_DIR,
// listens on 127.0.0.1 only.
const cluster = require('cluster');
const https = require('https');
const fs = require('fs');
const numCPUs = require('os').cpus().length; //CPU 갯수
const ssl = process.env.SSL_DIR || './ssl';
const port = Number(process.env.PORT || 443);

if(cluster.isMaster){
    console.log(`마스터 프로세스 아이디 :${process.pid}`);
    for(let i =0; i<numCPUs;i++){
        cluster.fork(); //워커 생성
    }

    cluster.on('exit',(worker,code,signal) => {
        console.log(`${worker.process.pid}번 워커가 종료되었습니다.`);
    }) ;
}else{
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
    }).listen(port, '127.0.0.1');
    console.log(`${process.pid}번 워커 실행`);
}
