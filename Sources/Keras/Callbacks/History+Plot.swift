import Foundation

extension History {
    /// Draws the training curves: one panel per metric (loss first, then the others by name),
    /// the training values and, when recorded, the `val_` values per epoch, with axes, ticks and a
    /// legend. `.svg` files are written directly; `.png` files are rendered from that SVG by
    /// `rsvg-convert` (Debian's librsvg2-bin), which must then be installed.
    ///
    /// The SVG is written by this small renderer rather than a plotting library: Swift on Linux
    /// has no maintained one (Swift Charts is Apple-only), and line charts are a few dozen SVG
    /// elements.
    ///
    /// ```swift
    /// let history = try model.fit(x, y, epochs: 10, validationSplit: 0.2)
    /// try history.plot(to: "curves.svg")
    /// try history.plot(to: "curves.png")
    /// ```
    /// - Throws: `KerasError.invalidArgument` when nothing was recorded or the extension is not
    ///   `svg`/`png`; `KerasError.unsupported` when `rsvg-convert` is missing for a PNG;
    ///   `KerasError.unwritableFile`.
    public func plot(to file: String) throws {
        let ext = (file as NSString).pathExtension.lowercased()
        guard ext == "svg" || ext == "png" else {
            throw KerasError.invalidArgument("History.plot: expected a file ending in .svg or .png, got '\(file)'")
        }
        let svg = try plotSVG()
        if ext == "svg" {
            do { try svg.write(toFile: file, atomically: true, encoding: .utf8) } catch {
                throw KerasError.unwritableFile(path: file, reason: error.localizedDescription)
            }
        } else {
            try CurvePlot.renderPNG(svg, to: file)
        }
    }

    /// The SVG text of ``plot(to:)``: a `<g class="panel" id="panel-<metric>">` per metric holding
    /// a `<polyline class="series" data-series="<key>">` per series.
    ///
    /// ```swift
    /// let svg = try history.plotSVG()
    /// ```
    public func plotSVG() throws -> String {
        let metrics = keys.filter { !$0.hasPrefix("val_") }
        let orphans = keys.filter { $0.hasPrefix("val_") && history[String($0.dropFirst(4))] == nil }
        let panels = (metrics + orphans).sorted { a, b in
            a == "loss" ? b != "loss" : b == "loss" ? false : a < b
        }.map { name -> CurvePlot.Panel in
            var series: [(String, [Double])] = []
            if let values = history[name] { series.append((name, values)) }
            if !name.hasPrefix("val_"), let values = history["val_" + name] { series.append(("val_" + name, values)) }
            return CurvePlot.Panel(title: name, series: series)
        }
        guard !panels.isEmpty, panels.contains(where: { $0.series.contains { !$0.1.isEmpty } }) else {
            throw KerasError.invalidArgument("History.plot: nothing to plot; the history is empty (run fit first)")
        }
        return CurvePlot.svg(panels)
    }
}

/// A small SVG line-chart renderer for ``History/plot(to:)``.
enum CurvePlot {
    struct Panel {
        let title: String
        let series: [(key: String, values: [Double])]
    }

    static let panelWidth = 440.0, panelHeight = 300.0
    static let left = 64.0, right = 16.0, top = 34.0, bottom = 46.0
    static let colors = ["#1f77b4", "#ff7f0e"]

    static func svg(_ panels: [Panel]) -> String {
        let columns = min(panels.count, 2)
        let rows = (panels.count + columns - 1) / columns
        let width = panelWidth * Double(columns), height = panelHeight * Double(rows)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (i, panel) in panels.enumerated() {
            let x0 = Double(i % columns) * panelWidth, y0 = Double(i / columns) * panelHeight
            out += self.panel(panel, x0: x0, y0: y0)
        }
        return out + "</svg>\n"
    }

    private static func panel(_ panel: Panel, x0: Double, y0: Double) -> String {
        let plotLeft = x0 + left, plotRight = x0 + panelWidth - right
        let plotTop = y0 + top, plotBottom = y0 + panelHeight - bottom
        let epochs = max(panel.series.map(\.values.count).max() ?? 1, 1)
        let finite = panel.series.flatMap(\.values).filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-12 { let pad = max(abs(hi) * 0.1, 0.5); lo -= pad; hi += pad }
        let yTicks = niceTicks(lo, hi)
        lo = min(lo, yTicks.first!); hi = max(hi, yTicks.last!)
        let inset = 12.0
        func px(_ epoch: Int) -> Double {
            epochs == 1 ? (plotLeft + plotRight) / 2
                : plotLeft + inset + (plotRight - plotLeft - 2 * inset) * Double(epoch - 1) / Double(epochs - 1)
        }
        func py(_ v: Double) -> Double { plotBottom - (plotBottom - plotTop) * (v - lo) / (hi - lo) }

        var out = "<g class=\"panel\" id=\"panel-\(escape(panel.title))\">\n"
        out += "<text x=\"\(fmt((plotLeft + plotRight) / 2))\" y=\"\(fmt(y0 + 22))\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        // Grid lines and y tick labels.
        for t in yTicks {
            let y = py(t)
            out += "<line x1=\"\(fmt(plotLeft))\" y1=\"\(fmt(y))\" x2=\"\(fmt(plotRight))\" y2=\"\(fmt(y))\" stroke=\"#e0e0e0\"/>\n"
            out += "<text x=\"\(fmt(plotLeft - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(tickLabel(t, ticks: yTicks))</text>\n"
        }
        // x ticks: every epoch up to 10, else a nice step.
        let xStep = epochs <= 10 ? 1 : Int(niceStep(Double(epochs - 1) / 8))
        for e in stride(from: 1, through: epochs, by: max(xStep, 1)) {
            let x = px(e)
            out += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(plotBottom))\" x2=\"\(fmt(x))\" y2=\"\(fmt(plotBottom + 5))\" stroke=\"black\"/>\n"
            out += "<text x=\"\(fmt(x))\" y=\"\(fmt(plotBottom + 18))\" text-anchor=\"middle\" font-size=\"11\">\(e)</text>\n"
        }
        out += "<rect x=\"\(fmt(plotLeft))\" y=\"\(fmt(plotTop))\" width=\"\(fmt(plotRight - plotLeft))\" height=\"\(fmt(plotBottom - plotTop))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(fmt((plotLeft + plotRight) / 2))\" y=\"\(fmt(plotBottom + 36))\" text-anchor=\"middle\" font-size=\"12\">epoch</text>\n"
        // Series: a polyline per run of finite values, with a dot per epoch.
        for (index, series) in panel.series.enumerated() {
            let color = colors[index % colors.count]
            let points = series.values.enumerated().filter { $0.element.isFinite }
                .map { "\(fmt(px($0.offset + 1))),\(fmt(py($0.element)))" }
            out += "<polyline class=\"series\" data-series=\"\(escape(series.key))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            for point in points {
                let xy = point.split(separator: ",")
                out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(color)\"/>\n"
            }
        }
        // Legend at the right, in the top or bottom corner, whichever holds fewer points.
        let legendWidth = 96.0, legendHeight = 8 + 18 * Double(panel.series.count)
        let rightPoints = panel.series.flatMap { s in
            s.values.enumerated().filter { $0.element.isFinite && px($0.offset + 1) > plotRight - legendWidth - 12 }.map { py($0.element) }
        }
        let upper = rightPoints.filter { $0 < plotTop + legendHeight + 12 }.count
        let lower = rightPoints.filter { $0 > plotBottom - legendHeight - 12 }.count
        let legendX = plotRight - legendWidth - 6
        let legendY = upper > lower ? plotBottom - legendHeight - 6 : plotTop + 6
        out += "<rect class=\"legend\" x=\"\(fmt(legendX))\" y=\"\(fmt(legendY))\" width=\"\(fmt(legendWidth))\" height=\"\(fmt(legendHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n"
        for (index, series) in panel.series.enumerated() {
            let y = legendY + 15 + 18 * Double(index)
            out += "<line x1=\"\(fmt(legendX + 6))\" y1=\"\(fmt(y - 4))\" x2=\"\(fmt(legendX + 26))\" y2=\"\(fmt(y - 4))\" stroke=\"\(colors[index % colors.count])\" stroke-width=\"2\"/>\n"
            let name = series.key.hasPrefix("val_") ? "validation" : "training"
            out += "<text x=\"\(fmt(legendX + 32))\" y=\"\(fmt(y))\" font-size=\"11\">\(name)</text>\n"
        }
        return out + "</g>\n"
    }

    /// About five round tick values covering [lo, hi].
    static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let step = niceStep((hi - lo) / 5)
        let first = (lo / step).rounded(.down) * step
        var ticks: [Double] = []
        var t = first
        while t < hi + step * 0.5 && ticks.count < 20 {
            ticks.append(t)
            t += step
        }
        if ticks.last! < hi { ticks.append(ticks.last! + step) }
        return ticks
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2.0, 5.0, 10.0] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    /// A tick label with just enough decimals for the tick spacing.
    static func tickLabel(_ value: Double, ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, min(8, Int((-log10(step)).rounded(.up))))
        let v = abs(value) < step * 1e-6 ? 0 : value
        return String(format: "%.\(decimals)f", v)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Renders SVG to PNG with `rsvg-convert`.
    static func renderPNG(_ svg: String, to file: String) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let tool = path.split(separator: ":").map({ "\($0)/rsvg-convert" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KerasError.unsupported(component: "History.plot", reason: "PNG output needs `rsvg-convert`, which was not found on PATH; install it (Debian/Ubuntu: `sudo apt-get install librsvg2-bin`) or plot to a .svg file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--format", "png", "--output", file]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw KerasError.unsupported(component: "History.plot", reason: "could not run \(tool): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(svg.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KerasError.unwritableFile(path: file, reason: "rsvg-convert failed: \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
