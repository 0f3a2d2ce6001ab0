namespace NdBridge.Python.Tests;
