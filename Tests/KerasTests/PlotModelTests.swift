import Foundation
import Keras
import KerasTestSupport
import Testing

/// `modelToDot`/`plotModel` against `keras.utils.model_to_dot` (Tests/Fixtures/plot_model_generate.py):
/// the same node labels (HTML tables), edges and nested clusters.
@Suite("plotModel") struct PlotModelTests {
    struct Drawing: Equatable {
        var labels: [String: String] = [:]
        var clusters: [String: String] = [:]   // node → cluster label
        var edges = Set<[String]>()
        var rankdir = ""
    }

    /// Reads back the nodes, edges and clusters of a DOT text written by `modelToDot`.
    static func parse(_ dot: String) throws -> Drawing {
        var drawing = Drawing()
        var clusterStack: [String] = []
        func unquote(_ s: Substring) -> String { String(s.dropFirst().dropLast()) }
        for raw in dot.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("rankdir=") { drawing.rankdir = String(line.dropFirst(8).dropLast()) }
            else if line.hasPrefix("subgraph ") { clusterStack.append("") }
            else if line.hasPrefix("label="), !clusterStack.isEmpty { clusterStack[clusterStack.count - 1] = unquote(line.dropFirst(6).dropLast()) }
            else if line == "}" { _ = clusterStack.popLast() }
            else if let arrow = line.range(of: "\" -> \"") {
                let source = unquote(line[..<arrow.lowerBound] + "\"")
                let rest = line[arrow.upperBound...]
                drawing.edges.insert([source, String(rest[..<rest.firstIndex(of: "\"")!])])
            } else if let start = line.range(of: " [label="), let end = line.range(of: ", fontname=Helvetica", options: .backwards) {
                let name = unquote(line[..<start.lowerBound])
                drawing.labels[name] = String(line[start.upperBound..<end.lowerBound])
                if let cluster = clusterStack.last { drawing.clusters[name] = cluster }
            }
        }
        return drawing
    }

    static func expected(_ name: String) throws -> Drawing {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent("plot_model.json"), encoding: .utf8)
        let json = try ConfigValue.parse(json: text)[name]!
        var drawing = Drawing()
        drawing.rankdir = json["rankdir"]!.stringValue!
        for node in json["nodes"]!.arrayValue! {
            drawing.labels[node["name"]!.stringValue!] = node["label"]!.stringValue!
            if let cluster = node["cluster"]?.stringValue { drawing.clusters[node["name"]!.stringValue!] = cluster }
        }
        for edge in json["edges"]!.arrayValue! { drawing.edges.insert(edge.arrayValue!.map { $0.stringValue! }) }
        return drawing
    }

    static func models() throws -> (sequential: Sequential, functional: Model, nested: Model) {
        let sequential = Sequential([InputLayer(shape: [3]), Dense(4, name: "hidden"), Dense(2, name: "out")], name: "seq")
        let a = Input(shape: [4], name: "a"), b = Input(shape: [3], name: "b")
        let h = Dense(5, name: "h")(Concatenate(name: "cat")([a, b]))
        let frozen = Dense(2, name: "frozen")
        frozen.trainable = false
        let functional = try Model(inputs: [a, b], outputs: [Dense(1, name: "score")(h), frozen(h)], name: "two_in")
        let inner = Sequential([InputLayer(shape: [4]), Dense(3, name: "inner_dense"), Dense(2, name: "inner_out")], name: "inner")
        let x = Input(shape: [4], name: "x")
        let nested = try Model(inputs: x, outputs: Dense(1, name: "head")(inner(x)), name: "outer")
        return (sequential, functional, nested)
    }

    @Test func dotMatchesKerasModelToDot() throws {
        let (sequential, functional, nested) = try Self.models()
        let cases: [(String, String)] = [
            ("sequential_shapes", try modelToDot(sequential, showShapes: true)),
            ("functional_all", try modelToDot(functional, showShapes: true, showDtype: true, rankdir: "LR", showTrainable: true)),
            ("functional_plain", try modelToDot(functional, showLayerNames: false)),
            ("nested_collapsed", try modelToDot(nested, showShapes: true)),
            ("nested_expanded", try modelToDot(nested, expandNested: true)),
        ]
        for (name, dot) in cases {
            let drawing = try Self.parse(dot), expected = try Self.expected(name)
            #expect(!expected.labels.isEmpty && !expected.edges.isEmpty)
            #expect(drawing.labels == expected.labels, "\(name)")
            #expect(drawing.edges == expected.edges, "\(name)")
            #expect(drawing.clusters == expected.clusters, "\(name)")
            #expect(drawing.rankdir == expected.rankdir, "\(name)")
        }
    }

    @Test func plotModelWritesDotAndRendersThroughGraphviz() throws {
        let (_, functional, _) = try Self.models()
        let dir = try SavingTests.temporaryDirectory()
        try plotModel(functional, to: dir + "/model.dot", showShapes: true)
        let dot = try String(contentsOfFile: dir + "/model.dot", encoding: .utf8)
        #expect(try Self.parse(dot).edges.count == 5)
        let hasDot = ProcessInfo.processInfo.environment["PATH"]!.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/dot")
        }
        if hasDot {
            try plotModel(functional, to: dir + "/model.svg", showShapes: true)
            let svg = try String(contentsOfFile: dir + "/model.svg", encoding: .utf8)
            #expect(svg.contains("<svg") && svg.contains("Output shape"))
            try plotModel(functional, to: dir + "/model.png")
            let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        } else {
            #expect(throws: KerasError.self) { try plotModel(functional, to: dir + "/model.png") }
        }
    }

    @Test func badArgumentsThrow() throws {
        let (sequential, _, _) = try Self.models()
        #expect(throws: KerasError.self) { try modelToDot(sequential, rankdir: "UP") }
        #expect(throws: KerasError.self) { try modelToDot(Sequential([Dense(2)])) }  // not built
        #expect(throws: KerasError.self) { try plotModel(sequential, to: "/proc/none/model.dot") }
    }
}
