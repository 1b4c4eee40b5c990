import Foundation

/// A chart drawn on the server as SVG: no script, no chart library. The `svg` element is an
/// image to assistive technology (`role="img"`) named by its `<title>` and described by its
/// `<desc>`, which states the figures in words; the page puts the same figures in a table
/// beside it.
struct Chart: Sendable {
    /// One line or one set of bars, with its colour and, for a line, whether it is dashed.
    struct Series: Sendable {
        let name: String
        let values: [Double?]
        let colour: String
        var dashed = false
    }

    let id: String
    let title: String
    let description: String
    /// The `<svg>` markup, everything in it escaped.
    let svg: String

    static let palette = ["#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f"]
    private static let width = 760.0, height = 300.0
    private static let left = 64.0, right = 16.0, top = 16.0, bottom = 64.0
    private static var plotWidth: Double { width - left - right }
    private static var plotHeight: Double { height - top - bottom }

    /// Lines over the periods in `labels`; a nil value leaves a gap.
    static func lines(
        id: String, title: String, description: String, labels: [String], series: [Series], maximum: Double? = nil,
        format: (Double) -> String
    ) -> Chart {
        let top = niceMaximum(maximum ?? series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        var body = axes(labels: labels, maximum: top, format: format)
        let step = labels.count > 1 ? plotWidth / Double(labels.count - 1) : 0
        for line in series {
            var path = ""
            var pen = false
            for (index, value) in line.values.enumerated() {
                guard let value else {
                    pen = false
                    continue
                }
                let x = left + (labels.count > 1 ? step * Double(index) : plotWidth / 2)
                let y = Self.y(value, top)
                path += "\(pen ? "L" : "M")\(f(x)) \(f(y)) "
                pen = true
                if line.values.count <= 60 {
                    body += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\" fill=\"\(line.colour)\"/>"
                }
            }
            body +=
                "<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2.5\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
        }
        return Chart(
            id: id, title: title, description: description,
            svg: frame(id: id, title: title, description: description, body: body + legend(series)))
    }

    /// Bars over the periods in `labels`: side by side, or stacked (each period's bars one on another).
    static func bars(
        id: String, title: String, description: String, labels: [String], series: [Series], stacked: Bool,
        format: (Double) -> String
    ) -> Chart {
        let sums = labels.indices.map { index in series.map { ($0.values[index] ?? 0) }.reduce(0, +) }
        let largest = stacked ? (sums.max() ?? 1) : (series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let top = niceMaximum(largest)
        var body = axes(labels: labels, maximum: top, format: format, centred: true)
        let slot = plotWidth / Double(max(1, labels.count))
        let gap = slot * 0.2
        let width = stacked ? slot - gap : (slot - gap) / Double(max(1, series.count))
        for index in labels.indices {
            var base = 0.0
            for (number, bar) in series.enumerated() {
                let value = bar.values[index] ?? 0
                guard value > 0 else { continue }
                let x = left + slot * Double(index) + gap / 2 + (stacked ? 0 : width * Double(number))
                let from = stacked ? base : 0
                let y = Self.y(from + value, top)
                let height = Self.y(from, top) - y
                body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(1, width)))\" height=\"\(f(height))\" fill=\"\(bar.colour)\"/>"
                base += value
            }
        }
        return Chart(
            id: id, title: title, description: description,
            svg: frame(id: id, title: title, description: description, body: body + legend(series)))
    }

    private static func frame(id: String, title: String, description: String, body: String) -> String {
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(f(width)) \(f(height))\" aria-labelledby=\"\(id)-title \(id)-desc\" "
            + "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"\(id)-title\">\(HTML.escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(HTML.escape(description))</desc>\(body)</svg>"
    }

    /// The grid, the value axis's ticks and at most seven period labels (more would overlap).
    private static func axes(labels: [String], maximum: Double, format: (Double) -> String, centred: Bool = false) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = maximum * Double(tick) / 4
            let y = Self.y(value, maximum)
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - right))\" y2=\"\(f(y))\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>"
            svg +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#0b0c0c\">\(HTML.escape(format(value)))</text>"
        }
        let every = max(1, Int((Double(labels.count) / 7).rounded(.up)))
        let slot = centred ? plotWidth / Double(max(1, labels.count)) : (labels.count > 1 ? plotWidth / Double(labels.count - 1) : 0)
        for (index, label) in labels.enumerated() where index % every == 0 {
            let x = left + slot * Double(index) + (centred ? slot / 2 : (labels.count > 1 ? 0 : plotWidth / 2))
            svg +=
                "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">\(HTML.escape(label))</text>"
        }
        return svg
    }

    private static func legend(_ series: [Series]) -> String {
        var svg = ""
        var x = left
        for line in series {
            let y = height - 18
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"14\" height=\"10\" fill=\"\(line.colour)\"/>"
            let text = line.name + (line.dashed ? " (dashed)" : "")
            svg += "<text x=\"\(f(x + 18))\" y=\"\(f(y))\" font-size=\"12\" fill=\"#0b0c0c\">\(HTML.escape(text))</text>"
            x += 34 + Double(text.count) * 6.5
        }
        return svg
    }

    private static func y(_ value: Double, _ maximum: Double) -> Double {
        top + plotHeight - (maximum > 0 ? value / maximum : 0) * plotHeight
    }

    /// A round number at or above `value` for the top of the value axis (1, 2, 2.5 or 5 times a power of ten).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
