import ArgumentParser
import Foundation
import Keras
import KerasServing
import Logging

/// The `keras` command line: `summary`, `predict`, `convert` and `serve`.
///
/// ```swift
/// await KerasCommand.main()                                   // the executable
/// var command = try KerasCommand.parseAsRoot(["summary", "mlp.keras"])
/// try command.run()                                           // in process, as the tests do
/// ```
public struct KerasCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keras",
        abstract: "Inspect, run, convert and serve Keras models.",
        subcommands: [Summary.self, Predict.self, Convert.self, Serve.self]
    )

    public init() {}

    /// The executable's entry point: logs go to standard error (leaving standard output to
    /// command results), then the command line runs and the process exits with its status.
    public static func runMain() async {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        await main()
    }
}

/// Loads a model for a command, naming the file in the error.
func loadForCommand(_ path: String, compile: Bool = false) throws -> Model {
    guard FileManager.default.fileExists(atPath: path) else {
        throw KerasError.unreadableFile(file: path, reason: "no such file")
    }
    return try loadModel(path, compile: compile)
}

extension KerasCommand {
    /// `keras summary m.keras`: Keras's summary table.
    public struct Summary: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Print a model's summary table (layers, output shapes, parameter counts).")

        @Argument(help: "A .keras or legacy .h5 model file.")
        var model: String

        @Option(help: "Width of the table in characters.")
        var lineLength: Int?

        public init() {}

        public func run() throws {
            let loaded = try loadForCommand(model)
            loaded.summary(lineLength: lineLength)
        }
    }

    /// `keras predict m.keras --input x.npy --output y.npy`.
    public struct Predict: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run a model on arrays from .npy, .npz or .csv files and write its outputs.",
            discussion: """
            Give one --input per model input, in the model's input order, or as NAME=PATH; an .npz \
            file may hold every input under its name. The output is .npy or .csv for one output, \
            .npz (arrays named by output) for any number.
            """)

        @Argument(help: "A .keras or legacy .h5 model file.")
        var model: String

        @Option(name: .long, help: "An input file (.npy, .npz, .csv), or NAME=PATH for a named input. Repeat for several inputs.")
        var input: [String] = []

        @Option(name: .long, help: "Where to write the outputs (.npy, .npz or .csv).")
        var output: String

        @Option(name: .long, help: "Samples per batch (default 32).")
        var batchSize: Int?

        public init() {}

        public func validate() throws {
            guard !input.isEmpty else { throw ValidationError("Give at least one --input file.") }
            if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be positive, received \(batchSize).") }
        }

        public func run() throws {
            let loaded = try loadForCommand(model)
            let inputs = try gatherInputs(for: loaded)
            let outputs = try loaded.predictOutputs(inputs, batchSize: batchSize, verbose: 0)
            try DataFiles.write(zip(outputs.names, outputs.tensors).map { ($0, $1) }, to: output)
            let shapes = outputs.tensors.map { "(" + $0.shape.map(String.init).joined(separator: ", ") + ")" }
            print("Wrote \(outputs.names.joined(separator: ", ")) of shape \(shapes.joined(separator: ", ")) to \(output)")
        }

        /// The model's inputs, in order, cast to the dtypes the model expects.
        func gatherInputs(for model: Model) throws -> [Tensor] {
            let names = model.inputNames
            var named: [String: Tensor] = [:]
            var positional: [Tensor] = []
            for argument in input {
                if let equals = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
                    let name = String(argument[..<equals]), path = String(argument[argument.index(after: equals)...])
                    let arrays = try DataFiles.read(path)
                    guard arrays.count == 1 else {
                        throw KerasError.invalidArgument("\(path) holds \(arrays.count) arrays; NAME=PATH needs a file with one")
                    }
                    named[name] = arrays[0].tensor
                } else if DataFiles.fileExtension(argument) == "npz" {
                    let arrays = try DataFiles.read(argument)
                    if arrays.count == 1 && names.count <= 1 {
                        positional.append(arrays[0].tensor)
                    } else {
                        for (name, tensor) in arrays { named[name] = tensor }
                    }
                } else {
                    positional.append(try DataFiles.read(argument)[0].tensor)
                }
            }
            if !positional.isEmpty && !named.isEmpty {
                throw KerasError.invalidArgument("Give the inputs either all by position or all by name (NAME=PATH or an .npz)")
            }
            var tensors: [Tensor]
            if !named.isEmpty {
                for key in named.keys.sorted() where !names.contains(key) {
                    throw KerasError.invalidArgument("The model has no input named \"\(key)\"; its inputs are \(names.joined(separator: ", "))")
                }
                tensors = try names.map { name in
                    guard let t = named[name] else {
                        throw KerasError.invalidArgument("Missing input \"\(name)\"; the model's inputs are \(names.joined(separator: ", "))")
                    }
                    return t
                }
            } else {
                guard names.isEmpty || positional.count == names.count else {
                    throw KerasError.invalidArgument("The model has \(names.count) input(s) (\(names.joined(separator: ", "))), but \(positional.count) --input file(s) were given")
                }
                tensors = positional
            }
            let dtypes = model.inputs.map(\.dtype)
            for i in tensors.indices {
                let dtype = i < dtypes.count ? dtypes[i] : model.dtype
                if tensors[i].dtype != dtype { tensors[i] = tensors[i].cast(to: dtype) }
            }
            return tensors
        }
    }

    /// `keras convert in.h5 out.keras`.
    public struct Convert: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Convert a model between the .keras format and legacy .h5 (or write its .weights.h5).")

        @Argument(help: "The model to read (.keras or legacy .h5).")
        var source: String

        @Argument(help: "The file to write: .keras, legacy .h5, or .weights.h5 (weights only).")
        var destination: String

        public init() {}

        public func validate() throws {
            guard URL(fileURLWithPath: source).standardized != URL(fileURLWithPath: destination).standardized else {
                throw ValidationError("The source and destination are the same file.")
            }
            guard [".keras", ".h5"].contains(where: destination.hasSuffix) else {
                throw ValidationError("The destination must end in .keras, .h5 or .weights.h5, received \(destination).")
            }
        }

        public func run() throws {
            let loaded = try loadForCommand(source, compile: true)
            if destination.hasSuffix(".weights.h5") {
                try loaded.saveWeights(to: destination)
            } else {
                try loaded.save(to: destination)
            }
            print("Wrote \(destination)")
        }
    }

    /// `keras serve <models dir | model file>`.
    public struct Serve: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Serve models over TensorFlow Serving's REST API.",
            discussion: """
            PATH is a .keras file (served as version 1 of --name, default its file stem), a \
            directory of versions (<dir>/<version>/model.keras) or a directory of models laid \
            out as TensorFlow Serving's <dir>/<name>/<version>/model.keras. New versions are \
            loaded while serving. Endpoints: GET /v1/models/NAME[/versions/V][/metadata], \
            POST /v1/models/NAME[/versions/V]:predict, GET /metrics. SIGTERM shuts down \
            gracefully.
            """)

        @Argument(help: "A model file or a models directory.")
        var path: String

        @Option(help: "TCP port to listen on.")
        var port = 8501

        @Option(help: "Address to listen on (0.0.0.0 for every interface).")
        var host = "127.0.0.1"

        @Option(help: "Model name for a single file or versions directory.")
        var name: String?

        @Option(help: "Most rows run through a model in one batch.")
        var maxBatchSize = 64

        @Option(help: "How long a request waits for others to join its batch, in microseconds.")
        var batchTimeoutMicros = 0

        @Option(help: "Largest request body accepted, in bytes.")
        var maxBodyBytes = 64 << 20

        @Option(help: "Per-request timeout, in seconds.")
        var requestTimeout: Double = 30

        @Option(help: "Seconds between scans of the model directory for new versions (0 turns scanning off).")
        var pollSeconds: Double = 1

        @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
        var logLevel = "info"

        public init() {}

        public func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, received \(port).") }
            guard maxBatchSize >= 1 else { throw ValidationError("--max-batch-size must be positive, received \(maxBatchSize).") }
            guard batchTimeoutMicros >= 0 else { throw ValidationError("--batch-timeout-micros must not be negative.") }
            guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be positive.") }
            guard requestTimeout > 0, requestTimeout.isFinite else { throw ValidationError("--request-timeout must be positive.") }
            guard pollSeconds >= 0, pollSeconds.isFinite else { throw ValidationError("--poll-seconds must not be negative.") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("Unknown --log-level \(logLevel).") }
        }

        /// The server configuration these options describe.
        public var serverConfiguration: ServerConfiguration {
            var configuration = ServerConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.batching = BatchingOptions(maxBatchSize: maxBatchSize, maxWaitMicros: batchTimeoutMicros)
            configuration.maxBodyBytes = maxBodyBytes
            configuration.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
            configuration.pollInterval = pollSeconds > 0 ? .milliseconds(Int64(pollSeconds * 1000)) : nil
            return configuration
        }

        public func run() async throws {
            var logger = Logger(label: "keras.serve")
            logger.logLevel = Logger.Level(rawValue: logLevel)!
            let source = try ModelSource.detect(path, name: name)
            let server = try ModelServer(source: source, configuration: serverConfiguration, logger: logger)
            try await server.run()
        }
    }
}
