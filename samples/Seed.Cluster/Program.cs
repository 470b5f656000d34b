// The study note's first cluster program, line for line (Node → Roost). The primary forks one worker per CPU;
// each worker runs this file again from its first line, so `number` is 3 in every worker: workers share no state.
using Roost;

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8081;
var numCPUs = Environment.ProcessorCount; // CPU 갯수
var number = 3;

if (Cluster.IsPrimary) // 서버 실행 시, 프라이머리 프로세스가 실행됨 (Node: cluster.isMaster). 실행 될 경우, true
{
    // The note's log line, kept verbatim ("마스터" is the note's word for the primary).
    Console.WriteLine($"마스터 프로세스 아이디 :{Environment.ProcessId}");
    number++;
    for (var i = 0; i < numCPUs; i++)
    {
        Cluster.Fork(); // 워커 생성(워커 생성 시, 해당코드를 다시 첫줄부터 읽는다.)
    }

    Cluster.WorkerExited += (sender, e) =>
    {
        Console.WriteLine($"{e.Worker.Pid}번 워커가 종료되었습니다.");
    };
}
else
{
    Http.CreateServer((req, res) =>
    {
        res.Write("<h1>hello Node!</h1>");
        res.End("<p>Bye Bye</p>");
    }).Listen(port);
    // One string, one write(): WriteLine(int) writes the digits and the newline separately, and two workers
    // sharing the terminal could interleave them ("33" then an empty line).
    Console.WriteLine(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    Console.WriteLine($"{Environment.ProcessId}번 워커 실행");
}
