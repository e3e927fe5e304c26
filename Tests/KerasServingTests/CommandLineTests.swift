import Foundation
import Keras
@testable import KerasCLI
import KerasTestSupport
import Testing
import ArgumentParser

/// `keras summary | predict | convert` on Keras-written model files, in process and through
/// the built `keras` executable (output and exit codes).
@Suite("Command line") struct CommandLineTests {
    /// Runs a command in process, as the executable would.
    static func run(_ arguments: [String]) async throws {
        var command = try KerasCommand.parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// The `keras` executable, built beside the test bundle.
    static let executable: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("keras").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let built = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/keras").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }()

    /// Runs the executable: exit status, standard output, standard error.
    static func runExecutable(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(executable, "the keras executable is not built"))
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func predictsFromNpyLikeKeras() async throws {
        let dir = try ServingFixtures.temporaryDirectory()
        try ServingFixtures.tensor("mlp", "x").save(npy: dir + "/x.npy")
        try await Self.run(["predict", ServingFixtures.path("mlp.keras"), "--input", dir + "/x.npy", "--output", dir + "/y.npy", "--batch-size", "2"])
        assertClose(try Tensor(npyFile: dir + "/y.npy"), ServingFixtures.tensor("mlp", "y"), rtol: 1e-5, atol: 1e-6)
    }

    @Test func predictsFromCSVToCSV() async throws {
        let dir = try ServingFixtures.temporaryDirectory()
        let x = ServingFixtures.tensor("mlp", "x")
        let rows = (0..<x.shape[0]).map { r in (0..<x.shape[1]).map { c in String(x.scalars[r * x.shape[1] + c]) }.joined(separator: ",") }
        try (["a,b,c,d"] + rows).joined(separator: "\n").write(toFile: dir + "/x.csv", atomically: true, encoding: .utf8)
        try await Self.run(["predict", ServingFixtures.path("mlp.keras"), "--input", dir + "/x.csv", "--output", dir + "/y.csv"])
        let y = try DataFiles.readCSV(dir + "/y.csv")
        assertClose(y, ServingFixtures.tensor("mlp", "y"), rtol: 1e-5, atol: 1e-6)
    }

    @Test func predictsNamedInputsAndOutputsThroughNpz() async throws {
        let dir = try ServingFixtures.temporaryDirectory()
        try saveNPZ(["a": ServingFixtures.tensor("functional", "a"), "b": ServingFixtures.tensor("functional", "b")], to: dir + "/in.npz")
        try await Self.run(["predict", ServingFixtures.path("functional.keras"), "--input", dir + "/in.npz", "--output", dir + "/out.npz"])
        let outputs = try loadNPZ(dir + "/out.npz")
        let model = try loadModel(ServingFixtures.path("functional.keras"), compile: false)
        #expect(Set(outputs.keys) == Set(model.outputNames))
        assertClose(outputs[model.outputNames[0]]!, ServingFixtures.tensor("functional", "score"), rtol: 1e-5, atol: 1e-6)
        assertClose(outputs[model.outputNames[1]]!, ServingFixtures.tensor("functional", "label"), rtol: 1e-5, atol: 1e-6)

        // The same inputs as NAME=PATH, in the other order.
        try ServingFixtures.tensor("functional", "a").save(npy: dir + "/a.npy")
        try ServingFixtures.tensor("functional", "b").save(npy: dir + "/b.npy")
        try await Self.run(["predict", ServingFixtures.path("functional.keras"), "--input", "b=" + dir + "/b.npy",
                            "--input", "a=" + dir + "/a.npy", "--output", dir + "/out2.npz"])
        assertClose(try loadNPZ(dir + "/out2.npz")[model.outputNames[0]]!, ServingFixtures.tensor("functional", "score"), rtol: 1e-5, atol: 1e-6)
    }

    @Test func convertsLegacyH5ToKerasAndBack() async throws {
        let dir = try ServingFixtures.temporaryDirectory()
        let x = ServingFixtures.tensor("mlp", "x"), y = ServingFixtures.tensor("mlp", "y")
        try await Self.run(["convert", ServingFixtures.path("mlp_legacy.h5"), dir + "/mlp.keras"])
        let converted = try loadModel(dir + "/mlp.keras")
        // The compile configuration travels with the model (whatever the legacy reader made of it).
        #expect(converted.optimizer?.className == (try loadModel(ServingFixtures.path("mlp_legacy.h5")).optimizer?.className))
        #expect(converted.optimizer != nil)
        assertClose(try converted.predict(x, verbose: 0), y, rtol: 1e-5, atol: 1e-6)
        try await Self.run(["convert", dir + "/mlp.keras", dir + "/back.h5"])
        assertClose(try loadModel(dir + "/back.h5").predict(x, verbose: 0), y, rtol: 1e-5, atol: 1e-6)
        try await Self.run(["convert", dir + "/mlp.keras", dir + "/mlp.weights.h5"])
        let fresh = try loadModel(ServingFixtures.path("mlp.keras"), compile: false)
        try fresh.setWeights(fresh.getWeights().map { $0 * 0 })
        try fresh.loadWeights(from: dir + "/mlp.weights.h5")
        assertClose(try fresh.predict(x, verbose: 0), y, rtol: 1e-5, atol: 1e-6)
    }

    @Test func refusesBadFilesAndArguments() async throws {
        let dir = try ServingFixtures.temporaryDirectory()
        try ServingFixtures.tensor("mlp", "x").save(npy: dir + "/x.npy")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: dir + "/broken.keras"))
        try Data("1,2\n3\n".utf8).write(to: URL(fileURLWithPath: dir + "/ragged.csv"))
        let mlp = ServingFixtures.path("mlp.keras")
        let failing: [[String]] = [
            ["predict", dir + "/missing.keras", "--input", dir + "/x.npy", "--output", dir + "/y.npy"],
            ["predict", dir + "/broken.keras", "--input", dir + "/x.npy", "--output", dir + "/y.npy"],
            ["predict", mlp, "--input", dir + "/x.npy", "--input", dir + "/x.npy", "--output", dir + "/y.npy"],
            ["predict", mlp, "--input", dir + "/ragged.csv", "--output", dir + "/y.npy"],
            ["predict", mlp, "--input", dir + "/x.npy", "--output", dir + "/y.txt"],
            ["predict", mlp, "--input", "nope=" + dir + "/x.npy", "--output", dir + "/y.npy"],
            ["predict", ServingFixtures.path("functional.keras"), "--input", dir + "/x.npy", "--output", dir + "/y.npy"],
            ["convert", mlp, dir + "/out.txt"],
            ["convert", mlp, mlp],
            ["summary", dir + "/broken.keras"],
        ]
        for arguments in failing {
            await #expect(throws: (any Error).self, "\(arguments)") { try await Self.run(arguments) }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/y.npy"))
    }

    @Test func executableReportsErrorsWithExitCodes() throws {
        let dir = try ServingFixtures.temporaryDirectory()
        let summary = try Self.runExecutable(["summary", ServingFixtures.path("mlp.keras")])
        #expect(summary.status == 0)
        #expect(summary.out.contains("Model: \"mlp\""))
        #expect(summary.out.contains("Total params:"))

        try ServingFixtures.tensor("mlp", "x").save(npy: dir + "/x.npy")
        let predict = try Self.runExecutable(["predict", ServingFixtures.path("mlp.keras"), "--input", dir + "/x.npy", "--output", dir + "/y.npy"])
        #expect(predict.status == 0, "\(predict.err)")
        assertClose(try Tensor(npyFile: dir + "/y.npy"), ServingFixtures.tensor("mlp", "y"), rtol: 1e-5, atol: 1e-6)

        let help = try Self.runExecutable(["predict", "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("--batch-size"))
        for command in ["summary", "convert", "serve"] {
            #expect(try Self.runExecutable([command, "--help"]).status == 0)
        }

        let missing = try Self.runExecutable(["predict", dir + "/missing.keras", "--input", "x.npy", "--output", dir + "/y.npy"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("missing.keras"))

        let usage = try Self.runExecutable(["predict", ServingFixtures.path("mlp.keras")])
        #expect(usage.status == 64)   // EX_USAGE: a missing required option
        #expect(try Self.runExecutable(["serve", dir, "--port", "70000"]).status == 64)
        #expect(try Self.runExecutable(["frobnicate"]).status == 64)
    }
}
