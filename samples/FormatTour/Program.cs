Console.WriteLine("NdBridge: the format tour arrives with BufferFormat.");
