import Foundation
import Keras
import KerasTestSupport
import Testing

/// A clock the test sets by hand.
private final class ManualClock: @unchecked Sendable {
    var now = 0.0
}

private func number(_ any: Any?) -> Double? {
    switch any {
    case let s as String: return Double(s)
    case let n as NSNumber: return n.doubleValue
    default: return nil
    }
}

private func values(_ any: Any?) -> [(String, Double)] {
    ((any as? [[Any]]) ?? []).map { ($0[0] as! String, number($0[1])!) }
}

/// Replays a fixture's events against our Progbar / ProgbarLogger and returns the text printed.
private func replay(_ events: [[String: Any]], interactive: Bool) throws -> String {
    var text = ""
    let clock = ManualClock()
    var logger: ProgbarLogger?
    var bar: Progbar?
    for ev in events {
        clock.now = number(ev["t"])!
        let logs = (ev["logs"] as? [String: Any] ?? [:]).mapValues { number($0)! }
        let index = ev["index"] as? Int ?? 0
        switch ev["call"] as! String {
        case "logger":
            logger = ProgbarLogger(isInteractive: interactive, output: { text += $0 }, clock: { clock.now })
            logger!.setParams(CallbackParams(epochs: ev["epochs"] as! Int, steps: ev["steps"] as? Int,
                                             verbose: ev["verbose"] as! Int))
        case "progbar":
            bar = Progbar(target: ev["target"] as? Int, verbose: ev["verbose"] as? Int ?? 1,
                          statefulMetrics: (ev["stateful"] as? [String]).map(Set.init),
                          isInteractive: interactive, output: { text += $0 }, clock: { clock.now })
        case "update": bar!.update(ev["current"] as! Int, values: values(ev["values"]), finalize: ev["finalize"] as? Bool)
        case "add": bar!.add(ev["n"] as! Int, values: values(ev["values"]))
        case "on_train_begin": try logger!.onTrainBegin(logs: logs)
        case "on_train_end": try logger!.onTrainEnd(logs: logs)
        case "on_epoch_begin": try logger!.onEpochBegin(index, logs: logs)
        case "on_epoch_end":
            var l = logs
            try logger!.onEpochEnd(index, logs: &l)
        case "on_train_batch_end": try logger!.onTrainBatchEnd(index, logs: logs)
        case "on_test_begin": try logger!.onTestBegin(logs: logs)
        case "on_test_batch_end": try logger!.onTestBatchEnd(index, logs: logs)
        case "on_test_end": try logger!.onTestEnd(logs: logs)
        case "on_predict_begin": try logger!.onPredictBegin(logs: logs)
        case "on_predict_batch_end": try logger!.onPredictBatchEnd(index, logs: logs)
        case "on_predict_end": try logger!.onPredictEnd(logs: logs)
        case let other: Issue.record("unknown event \(other)")
        }
    }
    return text
}

/// Keras's terminal output reduced to what a log file should hold: the finished lines, no
/// escape codes and no redraws.
private func finishedLines(_ terminal: String) -> String {
    var out = ""
    for line in terminal.split(separator: "\n", omittingEmptySubsequences: false) {
        // The last redraw on a line is what stays on screen.
        var visible = String(line.split(separator: "\r", omittingEmptySubsequences: false).last ?? "")
        visible = visible.replacingOccurrences(of: "\u{8}", with: "")
        while let r = visible.range(of: "\u{1B}\\[[0-9]+m", options: .regularExpression) { visible.removeSubrange(r) }
        out += visible + "\n"
    }
    return String(out.dropLast())
}

@Suite("Progbar against Keras 3")
struct ProgbarFixtureTests {
    static var cases: [[String: Any]] {
        (try! loadFixture("progbar.json") as! [String: Any])["cases"] as! [[String: Any]]
    }

    static var names: [String] { cases.map { $0["name"] as! String } }

    private func fixture(_ name: String) -> ([[String: Any]], String) {
        let c = Self.cases.first { $0["name"] as! String == name }!
        return (c["events"] as! [[String: Any]], c["expected"] as! String)
    }

    @Test("terminal output is byte-identical to Keras", arguments: names)
    func interactive(_ name: String) throws {
        let (events, expected) = fixture(name)
        let got = try replay(events, interactive: true)
        #expect(got == expected, "\n got: \(got.debugDescription)\nwant: \(expected.debugDescription)")
    }

    @Test("non-terminal output is one clean line per bar: Keras's final lines without redraws or colours",
          arguments: names)
    func logFile(_ name: String) throws {
        let (events, expected) = fixture(name)
        let got = try replay(events, interactive: false)
        #expect(!got.contains("\u{1B}") && !got.contains("\r") && !got.contains("\u{8}"))
        #expect(got == finishedLines(expected), "\n got: \(got.debugDescription)\nwant: \(finishedLines(expected).debugDescription)")
    }
}

@Suite("Progbar")
struct ProgbarTests {
    @Test("verbose 0 prints nothing")
    func silent() {
        var text = ""
        let bar = Progbar(target: 3, verbose: 0, isInteractive: true, output: { text += $0 }, clock: { 1 })
        for i in 1...3 { bar.update(i, values: [("loss", 1)]) }
        #expect(text.isEmpty)
    }

    @Test("a clean epoch line for CI logs")
    func cleanLine() throws {
        var text = ""
        var now = 100.0
        let logger = ProgbarLogger(isInteractive: false, output: { text += $0 }, clock: { now })
        logger.setParams(CallbackParams(epochs: 10, steps: 45, verbose: 1))
        try logger.onTrainBegin(logs: [:])
        try logger.onEpochBegin(0, logs: [:])
        for b in 0..<45 {
            now += 0.003
            try logger.onTrainBatchEnd(b, logs: ["accuracy": 0.8712, "loss": 0.431])
        }
        now += 0.5
        var logs = ["accuracy": 0.8712, "loss": 0.431, "val_accuracy": 0.85, "val_loss": 0.45]
        try logger.onEpochEnd(0, logs: &logs)
        #expect(text == "Epoch 1/10\n45/45 ━━━━━━━━━━━━━━━━━━━━ 1s 14ms/step - accuracy: 0.8712 - loss: 0.4310"
                + " - val_accuracy: 0.8500 - val_loss: 0.4500\n")
    }
}
