import Foundation
import Keras
import KerasTestSupport
import Testing

/// `History.plot(to:)`: one panel per metric, training and validation series, values placed in order.
@Suite("History plots") struct HistoryPlotTests {
    static func history(epochs: Int = 6) throws -> History {
        let history = History()
        try history.onTrainBegin(logs: [:])
        for e in 0..<epochs {
            var logs = ["loss": 1.0 / Double(e + 1), "val_loss": 1.2 / Double(e + 1) + 0.05,
                        "accuracy": 0.5 + 0.07 * Double(e), "val_accuracy": 0.45 + 0.06 * Double(e),
                        "mae": 0.8 - 0.1 * Double(e)]
            try history.onEpochEnd(e, logs: &logs)
        }
        return history
    }

    /// data-series → the polyline's (x, y) points, per panel id.
    static func series(in svg: String) -> [String: [String: [(Double, Double)]]] {
        var result: [String: [String: [(Double, Double)]]] = [:]
        var panel = ""
        for line in svg.split(separator: "\n") {
            if let r = line.range(of: "<g class=\"panel\" id=\"panel-") {
                panel = String(line[r.upperBound...].prefix { $0 != "\"" })
                result[panel] = [:]
            } else if let r = line.range(of: "data-series=\"") {
                let key = String(line[r.upperBound...].prefix { $0 != "\"" })
                let p = line.range(of: "points=\"")!
                let points = line[p.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map { pair -> (Double, Double) in
                    let xy = pair.split(separator: ",").map { Double($0)! }
                    return (xy[0], xy[1])
                }
                result[panel]![key] = points
            }
        }
        return result
    }

    @Test func svgHasAPanelPerMetricWithTrainingAndValidationSeries() throws {
        let history = try Self.history()
        let svg = try history.plotSVG()
        let panels = Self.series(in: svg)
        #expect(Set(panels.keys) == ["loss", "accuracy", "mae"])
        #expect(Set(panels["loss"]!.keys) == ["loss", "val_loss"])
        #expect(Set(panels["accuracy"]!.keys) == ["accuracy", "val_accuracy"])
        #expect(Set(panels["mae"]!.keys) == ["mae"])
        #expect(svg.range(of: "id=\"panel-loss\"")!.lowerBound < svg.range(of: "id=\"panel-accuracy\"")!.lowerBound)
        for (panel, series) in panels {
            for (key, points) in series {
                let values = history.history[key]!
                #expect(points.count == values.count, "\(panel)/\(key)")
                // x grows with the epoch; a larger value sits higher (smaller y).
                for i in 1..<points.count {
                    #expect(points[i].0 > points[i - 1].0)
                    #expect((values[i] > values[i - 1]) == (points[i].1 < points[i - 1].1), "\(panel)/\(key) epoch \(i)")
                }
            }
        }
        #expect(svg.contains(">training<") && svg.contains(">validation<") && svg.contains(">epoch<"))
    }

    @Test func writesSVGAndPNGFiles() throws {
        let dir = try SavingTests.temporaryDirectory()
        let history = try Self.history()
        try history.plot(to: dir + "/curves.svg")
        #expect(try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8).hasPrefix("<svg"))
        let hasConverter = ProcessInfo.processInfo.environment["PATH"]!.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/rsvg-convert")
        }
        if hasConverter {
            try history.plot(to: dir + "/curves.png")
            let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/curves.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        } else {
            #expect(throws: KerasError.self) { try history.plot(to: dir + "/curves.png") }
        }
    }

    @Test func nonFiniteValuesAreLeftOutAndMisuseThrows() throws {
        let history = History()
        try history.onTrainBegin(logs: [:])
        for (e, v) in [1.0, .nan, 0.5].enumerated() {
            var logs = ["loss": v]
            try history.onEpochEnd(e, logs: &logs)
        }
        #expect(Self.series(in: try history.plotSVG())["loss"]!["loss"]!.count == 2)
        #expect(throws: KerasError.self) { try History().plotSVG() }
        #expect(throws: KerasError.self) { try history.plot(to: "/tmp/curves.jpg") }
    }
}
