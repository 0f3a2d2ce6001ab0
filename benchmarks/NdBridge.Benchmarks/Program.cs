Console.WriteLine("NdBridge benchmarks: the copy rows arrive with the copy engine.");
