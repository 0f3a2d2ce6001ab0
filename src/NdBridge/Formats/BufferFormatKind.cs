namespace NdBridge;

/// <summary>The three shapes a <see cref="BufferFormat"/> item can take.</summary>
public enum BufferFormatKind
{
    /// <summary>One scalar (<c>d</c>, <c>&gt;i</c>, <c>3s</c>, <c>Zf</c>, <c>O</c>).</summary>
    Scalar,
    /// <summary>A fixed-shape array of one element format (<c>(2,3)d</c>, <c>4i</c>, <c>2T{...}</c>).</summary>
    SubArray,
    /// <summary>A record: fields at byte offsets (<c>T{d:x:i:y:}</c>, or several items such as <c>bd</c>).</summary>
    Record,
}
