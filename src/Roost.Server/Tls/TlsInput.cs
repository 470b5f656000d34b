using System.Text;

namespace Roost.Tls;

/// <summary>
/// One piece of TLS material as Node's <c>tls</c> options take it: the bytes of a file (PEM or DER), PEM text,
/// or a path to read when the server is created.
/// </summary>
/// <remarks>
/// <para>Converts implicitly from <see cref="byte"/>[] (file contents, as <c>fs.readFileSync</c> returns them) and
/// from <see cref="string"/> (PEM text, as Node treats a string). To have error messages name the file, use
/// <see cref="FromFile(string)"/>: the file is then read when the server is created, and every problem with it names
/// the path exactly as you gave it.</para>
/// </remarks>
public sealed class TlsInput
{
    private readonly byte[]? _data;

    private TlsInput(byte[]? data, string? path, bool isText)
    {
        _data = data;
        Path = path;
        IsText = isText;
    }

    /// <summary>Gets the file path as given, or <see langword="null"/> when the material was given inline.</summary>
    public string? Path { get; }

    /// <summary>Gets a value indicating whether the material was given as text (a <see cref="string"/>).</summary>
    public bool IsText { get; }

    /// <summary>Material to be read from <paramref name="path"/> when the server is created.</summary>
    /// <param name="path">The path; relative paths are resolved against the working directory.</param>
    /// <returns>The input.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static TlsInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new TlsInput(null, path, isText: false);
    }

    /// <summary>Material given as bytes (PEM or DER), for example the contents of a file.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The input.</returns>
    public static TlsInput FromBytes(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new TlsInput(data, null, isText: false);
    }

    /// <summary>Material given as PEM text.</summary>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The input.</returns>
    public static TlsInput FromText(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return new TlsInput(Encoding.UTF8.GetBytes(pem), null, isText: true);
    }

    /// <summary>Converts file contents to an input.</summary>
    /// <param name="data">The bytes.</param>
    public static implicit operator TlsInput(byte[] data) => FromBytes(data);

    /// <summary>Converts PEM text to an input.</summary>
    /// <param name="pem">The PEM text.</param>
    public static implicit operator TlsInput(string pem) => FromText(pem);

    /// <summary>Describes where the material came from, for messages: the path in quotes, or the inline size.</summary>
    /// <returns>For example <c>'ssl/site.key'</c> or <c>inline data (1,704 bytes)</c>.</returns>
    public override string ToString() => Path is not null
        ? $"'{Path}'"
        : $"inline {(IsText ? "text" : "data")} ({_data!.Length:N0} bytes)";

    /// <summary>Reads the material; file problems become <see cref="CertificateLoadException"/> naming the option.</summary>
    internal byte[] Read(string option)
    {
        if (_data is not null)
        {
            if (_data.Length == 0)
            {
                throw new CertificateLoadException(ErrorMessages.TlsInputEmpty(this, option), Path, option);
            }

            return _data;
        }

        // A worker started with --user: the primary sent the files (the key stays readable only by root).
        if (TlsFileStore.TryRead(Path!, option, out var bytes))
        {
            return bytes.Length == 0 ? throw new CertificateLoadException(ErrorMessages.TlsInputEmpty(this, option), Path, option) : bytes;
        }

        try
        {
            bytes = File.ReadAllBytes(Path!);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CertificateLoadException(ErrorMessages.TlsFileMissing(Path!, option), Path, option, ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new CertificateLoadException(ErrorMessages.TlsFileUnreadable(Path!, option, ex.Message), Path, option, ex);
        }

        if (bytes.Length == 0)
        {
            throw new CertificateLoadException(ErrorMessages.TlsInputEmpty(this, option), Path, option);
        }

        return bytes;
    }
}
