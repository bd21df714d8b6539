import Foundation

extension Model {
    /// The graph as Graphviz text: one box per layer (name, type, output shape), one arrow per input.
    public var graphvizText: String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = [
            "digraph \(quoted(spec.name)) {",
            "  rankdir=TB;",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\", fontsize=11];",
            "  edge [color=\"#555555\"];",
            "  \"input\" [label=\(quoted("input\n\(spec.input)")), shape=ellipse, fillcolor=\"#f4f4f4\"];",
        ]
        for (index, name) in network.names.enumerated() {
            let fill = network.inputs[index].count > 1 ? ", fillcolor=\"#fdf0d5\"" : ""
            lines.append("  \(quoted(name)) [label=\(quoted("\(name)\n\(layerTypes[index])\n\(layerShapes[index])"))\(fill)];")
        }
        for (index, name) in network.names.enumerated() {
            for source in inputNames(ofLayer: index) { lines.append("  \(quoted(source)) -> \(quoted(name));") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The graph drawn as SVG without Graphviz: layers in rows by their depth from the input (the longest path),
    /// side by side within a row, with a line from each input to the layer that takes it.
    public var svgDrawing: String {
        let count = network.layers.count
        var depth = Array(repeating: 0, count: count)
        for index in 0..<count {
            depth[index] = 1 + network.inputs[index].map { source -> Int in
                if case .node(let node) = source { return depth[node] }
                return 0
            }.max()!
        }
        var rows: [[Int]] = Array(repeating: [], count: (depth.max() ?? 0) + 1)
        rows[0] = [-1]
        for index in 0..<count { rows[depth[index]].append(index) }
        let boxWidth = 190.0, boxHeight = 46.0, gapX = 24.0, gapY = 26.0, laneGap = 10.0
        // Edges that skip rows run in lanes beside the boxes, one lane each, so they never cross a box.
        var skipping: [(from: Int, to: Int)] = []
        for index in 0..<count {
            for source in network.inputs[index] {
                let from: Int
                if case .node(let node) = source { from = node } else { from = -1 }
                if depth[index] - (from < 0 ? 0 : depth[from]) > 1 { skipping.append((from, index)) }
            }
        }
        let lanes = Double(skipping.count)
        let widest = Double(rows.map(\.count).max() ?? 1)
        let margin = lanes * laneGap + gapX
        let width = widest * (boxWidth + gapX) + gapX + 2 * margin
        let height = Double(rows.count) * (boxHeight + gapY) + gapY
        var centre: [Int: (x: Double, y: Double)] = [:]
        for (row, members) in rows.enumerated() {
            let rowWidth = Double(members.count) * (boxWidth + gapX) - gapX
            for (column, member) in members.enumerated() {
                let x = (width - rowWidth) / 2 + Double(column) * (boxWidth + gapX) + boxWidth / 2
                centre[member] = (x, gapY + Double(row) * (boxHeight + gapY) + boxHeight / 2)
            }
        }
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        func format(_ value: Double) -> String { String(format: "%.1f", value) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" height=\"\(format(height))\" viewBox=\"0 0 \(format(width)) \(format(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">",
            "<title>\(escaped(spec.name))</title>",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>",
        ]
        var lane = 0
        for index in 0..<count {
            guard let to = centre[index] else { continue }
            for source in network.inputs[index] {
                let from: Int
                if case .node(let node) = source { from = node } else { from = -1 }
                guard let start = centre[from] else { continue }
                let (x1, y1, x2, y2) = (start.x, start.y + boxHeight / 2, to.x, to.y - boxHeight / 2)
                if depth[index] - (from < 0 ? 0 : depth[from]) > 1 {
                    // Out of the source's side, down its lane, and into the target from the same side.
                    lane += 1
                    let left = (x1 + x2) / 2 <= width / 2
                    let laneX = left ? margin - Double(lane) * laneGap : width - margin + Double(lane) * laneGap
                    let (sx, tx) = (left ? x1 - boxWidth / 2 : x1 + boxWidth / 2, left ? x2 - boxWidth / 2 : x2 + boxWidth / 2)
                    let (sy, ty) = (start.y, to.y)
                    parts.append("<path d=\"M\(format(sx)),\(format(sy)) H\(format(laneX)) V\(format(ty)) H\(format(tx))\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>")
                } else {
                    parts.append("<line x1=\"\(format(x1))\" y1=\"\(format(y1))\" x2=\"\(format(x2))\" y2=\"\(format(y2))\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>")
                }
            }
        }
        for member in [-1] + Array(0..<count) {
            guard let at = centre[member] else { continue }
            let (title, detail, fill) = member < 0
                ? ("input", "\(spec.input)", "#f4f4f4")
                : (network.names[member], "\(layerTypes[member])  \(layerShapes[member])", network.inputs[member].count > 1 ? "#fdf0d5" : "#eef3fb")
            parts.append("<g><rect x=\"\(format(at.x - boxWidth / 2))\" y=\"\(format(at.y - boxHeight / 2))\" width=\"\(format(boxWidth))\" height=\"\(format(boxHeight))\" rx=\"8\" fill=\"\(fill)\" stroke=\"#7a8fb3\"/>"
                         + "<text x=\"\(format(at.x))\" y=\"\(format(at.y - 3))\" text-anchor=\"middle\" font-weight=\"bold\">\(escaped(title))</text>"
                         + "<text x=\"\(format(at.x))\" y=\"\(format(at.y + 13))\" text-anchor=\"middle\" fill=\"#333\">\(escaped(detail))</text></g>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}
