using System.Runtime.ExceptionServices;

namespace Roost.Clustering.Internal;

/// <summary>Raises an event so that one throwing subscriber does not keep the message from the others.</summary>
internal static class EventInvoker
{
    /// <summary>
    /// Calls every subscriber of <paramref name="handlers"/> in order, even when one throws; afterwards rethrows the
    /// failure (one: as it was thrown; several: an <see cref="AggregateException"/>) for the caller to log.
    /// </summary>
    public static void InvokeEach<TEventArgs>(EventHandler<TEventArgs>? handlers, object? sender, TEventArgs args)
    {
        if (handlers is null)
        {
            return;
        }

        List<Exception>? failures = null;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<TEventArgs>)handler)(sender, args);
            }
            catch (Exception ex)
            {
                // Application code: collected, the remaining subscribers still run, and the caller (a loop boundary) logs it.
                (failures ??= []).Add(ex);
            }
        }

        if (failures is null)
        {
            return;
        }

        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Throw(failures[0]);
        }

        throw new AggregateException(failures);
    }
}
