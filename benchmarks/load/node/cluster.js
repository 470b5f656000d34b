// The study note's first cluster program, as in the note (its own body: '<h1>hello Node!</h1>' + '<p>Bye Bye</p>').
// For the benchmark only: the port comes from PORT (the note's 8081 by default) and the workers listen on
// 127.0.0.1 only.
const cluster = require('cluster');
const http = require('http');
const numCPUs = require('os').cpus().length; //CPU 갯수
const port = Number(process.env.PORT || 8081);
let number = 3;

if(cluster.isMaster){ //서버 실행 시, 마스터라고 하는 프로세스가 실행됨. 실행 될 경우, true
    console.log(`마스터 프로세스 아이디 :${process.pid}`);
    number++;
    for(let i =0; i<numCPUs;i++){
        cluster.fork(); //워커 생성(워커 생성 시, 해당코드를 다시 첫줄부터 읽는다.)
    }

    cluster.on('exit',(worker,code,signal) => {
        console.log(`${worker.process.pid}번 워커가 종료되었습니다.`);
    }) ;
}else{
    http.createServer((req,res) =>{
        res.write('<h1>hello Node!</h1>');
        res.end('<p>Bye Bye</p>');
    }).listen(port, '127.0.0.1');
    console.log(number);
    console.log(`${process.pid}번 워커 실행`);
}
