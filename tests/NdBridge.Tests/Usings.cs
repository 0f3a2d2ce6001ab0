namespace NdBridge.Tests;
