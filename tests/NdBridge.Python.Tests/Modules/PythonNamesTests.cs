namespace NdBridge.Python.Tests;

public sealed class PythonNamesTests
{
    [Theory]
    [InlineData("Add", "add")]
    [InlineData("PaddedMatrix", "padded_matrix")]
    [InlineData("leadingDimension", "leading_dimension")]
    [InlineData("GetHTTPStatus", "get_http_status")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("Sum2D", "sum2d")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("X", "x")]
    public void ToSnakeCase_SplitsWordsAtCaseChanges(string dotnetName, string pythonName) =>
        Assert.Equal(pythonName, PythonNames.ToSnakeCase(dotnetName));
}
