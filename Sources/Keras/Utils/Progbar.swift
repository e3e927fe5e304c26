import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text progress bar printed exactly as Keras 3 prints it (`keras.utils.Progbar`):
///
/// ```text
/// 45/45 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - accuracy: 0.8712 - loss: 0.4310
/// ```
///
/// - `verbose: 1` redraws one line (bold count, green/gray bar, ETA while running, then elapsed
///   time, time per step, and ` - name: value` per metric, `%.4f` or `%.4e` when |v| ≤ 1e-3).
/// - `verbose: 2` prints only the final line: `45/45 - 1s - 3ms/step - loss: 0.4310`.
/// - When the output is not a terminal (``isInteractive`` false: CI logs, files) a `verbose: 1` bar
///   prints **one clean line** when it finishes, without redraws or colour codes, instead of Keras's
///   stream of `\n`-separated partial bars.
///
/// ```swift
/// let bar = Progbar(target: 3)
/// for step in 1...3 { bar.update(step, values: [("loss", 0.5)]) }
/// ```
///
/// Metric values are averaged over steps unless named in `statefulMetrics` (or, conversely, only
/// those in `statelessMetrics` are averaged), as in Keras. `output`, `clock` and `isInteractive`
/// can be injected (tests capture text with a fake clock).
public final class Progbar {
    /// Total number of steps, or `nil` when unknown (`   12/Unknown`).
    public var target: Int?
    /// Bar width in characters.
    public let width: Int
    /// 0 silent, 1 live bar, 2 one line at the end.
    public let verbose: Int
    /// Minimum seconds between redraws.
    public let interval: Double
    /// The unit in the time-per-unit figure (`step`).
    public let unitName: String
    /// Whether to redraw in place (`\b…\r`); false prints one clean line per finished bar.
    public let isInteractive: Bool

    private let statefulMetrics: Set<String>?
    private let statelessMetrics: Set<String>?
    private let output: (String) -> Void
    private let clock: () -> Double

    private var values: [String: (sum: Double, count: Double)] = [:]
    private var valuesOrder: [String] = []
    private var seenSoFar = 0
    private let start: Double
    private var lastUpdate = -Double.infinity
    private var timeAfterFirstStep: Double?
    private var previousTotalWidth = 0

    /// Creates a bar. Pass at most one of `statefulMetrics` / `statelessMetrics` (Keras's rule).
    ///
    /// ```swift
    /// var text = ""
    /// let bar = Progbar(target: 10, isInteractive: false, output: { text += $0 })
    /// ```
    public init(target: Int?, width: Int = 20, verbose: Int = 1, interval: Double = 0.05,
                statefulMetrics: Set<String>? = nil, statelessMetrics: Set<String>? = nil,
                unitName: String = "step",
                isInteractive: Bool = Progbar.standardOutputIsTerminal,
                output: @escaping (String) -> Void = Progbar.writeToStandardOutput,
                clock: @escaping () -> Double = Progbar.systemClock) {
        require(statefulMetrics == nil || statelessMetrics == nil,
                     "Progbar: pass only one of statefulMetrics or statelessMetrics")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unitName = unitName
        self.isInteractive = isInteractive
        self.statefulMetrics = statefulMetrics ?? (statelessMetrics == nil ? [] : nil)
        self.statelessMetrics = statelessMetrics
        self.output = output
        self.clock = clock
        self.start = clock()
    }

    /// Whether standard output is a terminal (`isatty`).
    public static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Writes to standard output and flushes, keeping order with `print`.
    public static let writeToStandardOutput: @Sendable (String) -> Void = { text in
        print(text, terminator: "")
        fflush(nil)
    }

    /// Seconds from a monotonic clock.
    public static let systemClock: @Sendable () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Moves the bar to step `current` (1-based count of finished steps) with this step's metric
    /// values. `finalize` defaults to `current >= target`.
    ///
    /// ```swift
    /// bar.update(5, values: [("accuracy", 0.8), ("loss", 0.43)])
    /// ```
    public func update(_ current: Int, values newValues: [(String, Double)] = [], finalize: Bool? = nil) {
        let finalize = finalize ?? (target.map { current >= $0 } ?? false)
        for (key, value) in newValues {
            if !valuesOrder.contains(key) { valuesOrder.append(key) }
            let stateless = statefulMetrics.map { !$0.contains(key) } ?? statelessMetrics!.contains(key)
            if stateless && !finalize {
                let base = Double(max(current - seenSoFar, 1))
                let old = values[key] ?? (0, 0)
                values[key] = (old.sum + value * base, old.count + base)
            } else {
                values[key] = (value, 1)
            }
        }
        seenSoFar = current

        let now = clock()
        let timePerUnit = estimateStepDuration(current, now)

        if verbose == 1 {
            if now - lastUpdate < interval && !finalize { return }
            if !isInteractive && !finalize { return }
            let (line, visibleWidth) = renderLine(current, now: now, timePerUnit: timePerUnit,
                                                  finalize: finalize, colours: isInteractive)
            var message = isInteractive ? String(repeating: "\u{8}", count: previousTotalWidth) + "\r" : ""
            message += line
            if isInteractive && previousTotalWidth > visibleWidth {
                message += String(repeating: " ", count: previousTotalWidth - visibleWidth)
            }
            if finalize { message += "\n" }
            output(message)
            previousTotalWidth = visibleWidth
        } else if verbose == 2, finalize, let target, target > 0 {
            let digits = String(target).count
            var info = pad(current, digits) + "/\(target) - " + PythonFormat.format("%.0f", now - start) + "s"
            info += " -" + formatTime(timePerUnit)
            for key in valuesOrder {
                let v = values[key]!
                let avg = v.sum / max(1, v.count)
                info += " - \(key): " + PythonFormat.format(avg > 1e-3 ? "%.4f" : "%.4e", avg)
            }
            output(info + "\n")
        }
        lastUpdate = now
    }

    /// Advances the bar by `n` steps.
    public func add(_ n: Int, values: [(String, Double)] = []) {
        update(seenSoFar + n, values: values)
    }

    /// The bar text and its printed width (escape codes excluded).
    private func renderLine(_ current: Int, now: Double, timePerUnit: Double, finalize: Bool,
                            colours: Bool) -> (String, Int) {
        let bold = colours ? "\u{1B}[1m" : "", reset = colours ? "\u{1B}[0m" : ""
        var bar: String
        if let target, target > 0 {
            let digits = String(target).count
            bar = bold + pad(current, digits) + "/\(target)" + reset + " "
            let progWidth = Int(Double(width) * (Double(current) / Double(target)))
            if progWidth > 0 {
                bar += (colours ? "\u{1B}[32m" : "") + String(repeating: "━", count: progWidth) + reset
            }
            bar += (colours ? "\u{1B}[37m" : "") + String(repeating: "━", count: max(0, width - progWidth)) + reset
        } else {
            bar = pad(current, 7) + "/Unknown"
        }
        var info: String
        if let target, target > 0, !finalize {
            let eta = timePerUnit * Double(target - current)
            let etaText: String
            if eta > 3600 {
                etaText = String(format: "%d:%02d:%02d", Int((eta / 3600).rounded(.down)),
                                 Int((eta.truncatingRemainder(dividingBy: 3600) / 60).rounded(.down)),
                                 Int(eta.truncatingRemainder(dividingBy: 60)))
            } else if eta > 60 {
                etaText = String(format: "%d:%02d", Int((eta / 60).rounded(.down)), Int(eta.truncatingRemainder(dividingBy: 60)))
            } else {
                etaText = "\(Int(eta))s"
            }
            info = " " + bold + etaText + reset
        } else {
            info = " " + bold + PythonFormat.format("%.0f", now - start) + "s" + reset
        }
        info += formatTime(timePerUnit)
        for key in valuesOrder {
            let v = values[key]!
            let avg = v.sum / max(1, v.count)
            info += " - \(key): " + PythonFormat.format(abs(avg) > 1e-3 ? "%.4f" : "%.4e", avg)
        }
        let line = bar + info
        return (line, visibleCount(line))
    }

    private func visibleCount(_ s: String) -> Int {
        var count = 0, inEscape = false
        for u in s.unicodeScalars {
            if inEscape { if u == "m" { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            count += 1
        }
        return count
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// ` 3ms/step`: seconds when ≥ 1 (or exactly 0), else milliseconds, else microseconds.
    private func formatTime(_ t: Double) -> String {
        if t >= 1 || t == 0 { return " " + PythonFormat.format("%.0f", t) + "s/\(unitName)" }
        if t >= 1e-3 { return " " + PythonFormat.format("%.0f", t * 1000) + "ms/\(unitName)" }
        return " " + PythonFormat.format("%.0f", t * 1_000_000) + "us/\(unitName)"
    }

    /// Time per step, leaving the (slow, warm-up) first step out once later steps exist.
    private func estimateStepDuration(_ current: Int, _ now: Double) -> Double {
        guard current > 0 else { return 0 }
        let perUnit: Double
        if let after = timeAfterFirstStep, current > 1 {
            perUnit = (now - after) / Double(current - 1)
        } else {
            perUnit = (now - start) / Double(current)
        }
        if current == 1 { timeAfterFirstStep = now }
        return perUnit
    }
}
