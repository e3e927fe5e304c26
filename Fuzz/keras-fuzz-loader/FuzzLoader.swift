// The loaders under libFuzzer (Scripts/fuzz-loader.sh builds this with -sanitize=fuzzer and
// -DFUZZING), and, in ordinary builds, a command that replays files through the same code:
//
//   keras-fuzz-loader Fuzz/corpus/*
//
// The first byte of an input picks the loader (.keras archive, .weights.h5 into a fixed model,
// .npy, .npz, legacy .h5, and, in debug builds (fuzzing and tests), HDF5Reader reading every
// group, attribute and dataset of the file); the rest is the file. Every input must load or
// throw a KerasError.
import Foundation
#if DEBUG
@testable import Keras
#else
import Keras
#endif

enum FuzzLoader {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/keras-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Runs one input; returns a description of what happened (never stops the process itself).
    @discardableResult
    static func run(_ input: [UInt8]) -> String {
        guard let selector = input.first else { return "empty" }
        let body = Data(input.dropFirst())
        // The same selectors in every build, so a corpus file means the same loader everywhere.
        let kinds = ["keras", "weights.h5", "npy", "npz", "h5", "h5-reader"]
        let kind = kinds[Int(selector) % kinds.count]
        #if !DEBUG
        if kind == "h5-reader" { return "skipped: HDF5Reader is internal (debug builds only)" }
        #endif
        let path = directory + "/input." + kind
        do {
            try body.write(to: URL(fileURLWithPath: path))
            switch kind {
            case "keras": _ = try loadModel(path)
            case "weights.h5":
                let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(2)])
                try model.compile(optimizer: "adam", loss: "mse")
                try model.loadWeights(from: path)
            case "npy": _ = try Tensor(npyFile: path)
            case "npz": _ = try loadNPZ(path)
            #if DEBUG
            case "h5-reader": try HDF5Reader(bytes: Array(body), name: "input.h5").root.readEverything()
            #endif
            default: _ = try loadModel(path)
            }
            return "loaded"
        } catch let error as KerasError {
            return "KerasError: \(error)"
        } catch {
            fatalError("a loader threw something other than KerasError: \(error)")
        }
    }
}

#if FUZZING
/// libFuzzer's driver (the toolchain's `-sanitize=fuzzer` runtime); SwiftPM names the program's
/// entry point itself, so `main` hands control to the driver instead of libFuzzer's own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzLoader.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main
struct FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
@main
struct ReplayCorpus {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            print("\(URL(fileURLWithPath: path).lastPathComponent): \(FuzzLoader.run(bytes).prefix(160))")
        }
    }
}
#endif
