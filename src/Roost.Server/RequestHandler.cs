namespace Roost;

/// <summary>
/// Handles one request, Node style: write the response with <see cref="OutgoingResponse.Write(string)"/> and finish
/// it with <see cref="OutgoingResponse.End()"/>. The handler may return before <c>End</c> is called (for example
/// to end from a timer); the response is sent when <c>End</c> is called.
/// </summary>
/// <param name="request">The request.</param>
/// <param name="response">The response.</param>
public delegate void RequestHandler(IncomingRequest request, OutgoingResponse response);

/// <summary>Handles one request asynchronously; the response is sent at <c>End</c> or when the returned task completes.</summary>
/// <param name="request">The request.</param>
/// <param name="response">The response.</param>
/// <returns>A task that completes when the handler is done.</returns>
public delegate Task AsyncRequestHandler(IncomingRequest request, OutgoingResponse response);
