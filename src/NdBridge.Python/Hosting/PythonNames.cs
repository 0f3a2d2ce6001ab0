using System.Text;

namespace NdBridge.Python;

/// <summary>The names .NET members get in Python.</summary>
internal static class PythonNames
{
    /// <summary>
    /// snake_case of a .NET name: <c>PaddedMatrix</c> → <c>padded_matrix</c>, <c>leadingDimension</c> →
    /// <c>leading_dimension</c>, <c>GetHTTPStatus</c> → <c>get_http_status</c>, <c>Sum2D</c> → <c>sum2d</c> (a digit
    /// never starts a word).
    /// </summary>
    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var startsWord = i > 0 && previous != '_' &&
                    (char.IsLower(previous) || (char.IsUpper(previous) && char.IsLower(next)));
                if (startsWord)
                    builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
