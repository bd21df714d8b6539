/// Mistakes in the graph of a model file (inputs, merges, blocks), with where each must be reported.
extension MalformedModelCase {
    /// A model of two named linear layers on `[4]` inputs; cases append the layers under test.
    static let twoLayers = """
        input: [4]
        layers:
          - {type: Linear, name: a, units: 4}
          - {type: Linear, name: b, units: 4}

        """

    /// A residual block definition used by the block cases, followed by `layers:`.
    static func withBlock(_ block: String) -> String {
        "input: [4]\nblocks:\n" + block + "layers:\n"
    }

    public static let graph: [MalformedModelCase] = [
        .init(name: "input names no layer", yaml: twoLayers + "  - {type: Add, inputs: [a, bb]}\n", location: "5:29", message: "did you mean 'b'"),
        .init(name: "forward reference", yaml: twoLayers + "  - {type: Add, inputs: [a, c]}\n  - {type: Linear, name: c, units: 4}\n",
              location: "5:29", message: "defined further down (line 6)"),
        .init(name: "cycle through its own name", yaml: twoLayers + "  - {type: Add, name: s, inputs: [a, s]}\n", location: "5:38", message: "cycle"),
        .init(name: "merge of different shapes", yaml: twoLayers + "  - {type: Linear, name: c, inputs: a, units: 5}\n  - {type: Add, name: s, inputs: [b, c]}\n",
              location: "6:34", message: "'b' [4], 'c' [5]"),
        .init(name: "merge with one input", yaml: twoLayers + "  - {type: Add, inputs: [a]}\n", location: "5:25", message: "takes 2 or more inputs"),
        .init(name: "merge without inputs", yaml: twoLayers + "  - Add\n", location: "5:5", message: "has only the previous layer's output"),
        .init(name: "plain layer with two inputs", yaml: twoLayers + "  - {type: ReLU, inputs: [a, b]}\n", location: "5:26", message: "takes one input"),
        .init(name: "concatenation of different sizes", yaml: """
            input: [1, 8, 8]
            layers:
              - {type: Conv2D, name: a, filters: 2, kernel: 3, padding: 1}
              - {type: Conv2D, name: b, inputs: input, filters: 2, kernel: 3}
              - {type: Concatenate, inputs: [a, b]}
            """, location: "5:33", message: "'a' [2, 8, 8], 'b' [2, 6, 6]"),
        .init(name: "a layer named input", yaml: "input: [4]\nlayers:\n  - {type: Linear, name: input, units: 4}\n", location: "3:26", message: "cannot be a layer name"),
        .init(name: "inputs given as a mapping", yaml: twoLayers + "  - {type: Add, inputs: {a: b}}\n", location: "5:25", message: "list of layer names"),
        .init(name: "duplicate name inside a block", yaml: withBlock("  r:\n    layers:\n      - {type: Linear, name: x, units: 4}\n      - {type: Linear, name: x, units: 4}\n")
              + "  - {type: r, name: one}\n", location: "6:30", message: "already used"),
        .init(name: "unknown block argument at a use", yaml: withBlock("  r:\n    arguments: {units: 4}\n    layers: [{type: Linear, units: $units}]\n")
              + "  - {type: r, name: one, unit: 3}\n", location: "7:26", message: "did you mean 'units'"),
        .init(name: "undeclared argument inside a block", yaml: withBlock("  r:\n    arguments: {units: 4}\n    layers: [{type: Linear, units: $width}]\n")
              + "  - {type: r, name: one}\n", location: "5:36", message: "has no argument 'width'"),
        .init(name: "argument outside a block", yaml: "input: [4]\nlayers:\n  - {type: Linear, units: $units}\n", location: "3:27", message: "not inside a block"),
        .init(name: "block that uses itself", yaml: withBlock("  r:\n    layers: [{type: Linear, units: 4}, {type: r}]\n")
              + "  - {type: r, name: one}\n", location: "4:47", message: "inside itself (r → r)"),
        .init(name: "block named like a layer type", yaml: withBlock("  ReLU:\n    layers: [{type: Linear, units: 4}]\n")
              + "  - {type: ReLU, name: one}\n", location: "3:3", message: "has the name of a layer type"),
        .init(name: "block without layers", yaml: withBlock("  r:\n    arguments: {units: 4}\n") + "  - {type: r}\n", location: "4:5", message: "has no `layers`"),
        .init(name: "unknown key in a block", yaml: withBlock("  r:\n    layer: [{type: Linear, units: 4}]\n") + "  - {type: r}\n", location: "4:5", message: "unknown key 'layer'"),
        .init(name: "block use with two inputs", yaml: withBlock("  r:\n    layers: [{type: Linear, units: 4}]\n")
              + "  - {type: Linear, name: a, units: 4}\n  - {type: r, inputs: [input, a]}\n", location: "7:23", message: "takes one input"),
        .init(name: "block layer naming an outer layer", yaml: withBlock("  r:\n    layers: [{type: Add, inputs: [input, a]}]\n")
              + "  - {type: Linear, name: a, units: 4}\n  - {type: r}\n", location: "4:42", message: "a block sees only its own layers"),
        .init(name: "shape error inside a block", yaml: """
            input: [1, 4, 4]
            blocks:
              big:
                layers: [{type: Conv2D, filters: 2, kernel: 7}]
            layers:
              - {type: big, name: one}
            """, location: "4:14", message: "block 'big'"),
    ]
}
