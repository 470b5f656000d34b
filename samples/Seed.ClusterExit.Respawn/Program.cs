// The study note's second cluster program with the one line Roost adds: managed respawn. Every worker still exits
// 1 s after it answers, but the primary starts a replacement, so the server keeps answering.
using Roost;

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8081;
var numCPUs = Environment.ProcessorCount; // CPU 갯수

if (Cluster.IsPrimary)
{
    Cluster.SetupPrimary(new ClusterOptions { RespawnWorkers = true }); // Roost: the one added line — 죽은 워커를 다시 띄운다
    Console.WriteLine($"마스터 프로세스 아이디 :{Environment.ProcessId}");
    for (var i = 0; i < numCPUs; i++)
    {
        Cluster.Fork(); // 워커 생성
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
        _ = Task.Delay(1000).ContinueWith(_ =>
        {
            Environment.Exit(1);
        }, TaskScheduler.Default);
    }).Listen(port);

    Console.WriteLine($"{Environment.ProcessId}번 워커 실행");
}
