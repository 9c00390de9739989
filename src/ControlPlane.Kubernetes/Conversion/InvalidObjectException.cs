namespace ControlPlane.Kubernetes.Conversion;

/// <summary>
/// An object that cannot be used: it does not parse as its kind, or a field is invalid. The message
/// names the field; <see cref="Exception.InnerException"/> carries the parser's error when there is one.
/// </summary>
public sealed class InvalidObjectException : Exception
{
    public InvalidObjectException(string message)
        : base(message)
    {
    }

    public InvalidObjectException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
