/// One kind of mistake in a model file, where it must be reported, and words the message must contain.
public struct MalformedModelCase: CustomStringConvertible, Sendable {
    public let name: String
    public let yaml: String
    public let location: String
    public let message: String
    public var description: String { name }

    public static let valid = """
        name: ok
        input: [2]
        layers:
          - type: Linear
            units: 3
        """

    public init(name: String, yaml: String, location: String, message: String) {
        self.name = name
        self.yaml = yaml
        self.location = location
        self.message = message
    }

    public static let all: [MalformedModelCase] = [
        .init(name: "unclosed flow list", yaml: "name: x\ninput: [2, 3\nlayers: [ReLU]\n", location: "3:7", message: "YAML syntax"),
        .init(name: "bad indentation", yaml: "input: [2]\nlayers:\n  - type: ReLU\n   units: 3\n", location: "4:4", message: "YAML syntax"),
        .init(name: "empty file", yaml: "", location: "1:1", message: "empty"),
        .init(name: "top level is a list", yaml: "- ReLU\n- Linear\n", location: "1:1", message: "must be a mapping"),
        .init(name: "unknown top-level key", yaml: "input: [2]\nlayer:\n  - ReLU\n", location: "2:1", message: "did you mean 'layers'"),
        .init(name: "missing input", yaml: "layers:\n  - type: ReLU\n", location: "1:1", message: "missing `input:`"),
        .init(name: "missing layers", yaml: "name: x\ninput: [2]\n", location: "1:1", message: "missing `layers:`"),
        .init(name: "input not a list", yaml: "input: abc\nlayers: [ReLU]\n", location: "1:8", message: "list of positive integers"),
        .init(name: "negative input dimension", yaml: "input: [-1, 2]\nlayers: [ReLU]\n", location: "1:8", message: "from 1 to"),
        .init(name: "huge integer", yaml: "input: [99999999999999999999999]\nlayers: [ReLU]\n", location: "1:9", message: "out of range"),
        .init(name: "layers not a list", yaml: "input: [2]\nlayers: ReLU\n", location: "2:9", message: "must be a list"),
        .init(name: "empty layers", yaml: "input: [2]\nlayers: []\n", location: "2:9", message: "must not be empty"),
        .init(name: "layer without type", yaml: "input: [2]\nlayers:\n  - units: 3\n    init: he\n", location: "3:5", message: "has no `type`"),
        .init(name: "unknown layer type", yaml: "input: [2]\nlayers:\n  - type: Relu\n", location: "3:11", message: "did you mean 'ReLU'"),
        .init(name: "misspelt option", yaml: "input: [2]\nlayers:\n  - type: Linear\n    unit: 3\n", location: "4:5", message: "'units'?"),
        .init(name: "missing required option", yaml: "input: [2]\nlayers:\n  - type: Linear\n    init: he\n", location: "3:5", message: "missing required option 'units'"),
        .init(name: "option of wrong type", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units: ten\n", location: "4:12", message: "must be int"),
        .init(name: "negative units", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units: -5\n", location: "4:12", message: "at least 1"),
        .init(name: "fractional units", yaml: "input: [2]\nlayers:\n  - Linear: {units: 2.5}\n", location: "3:21", message: "must be int"),
        .init(name: "unknown initialiser", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units: 3\n    init: gaussian\n", location: "5:11", message: "xavier"),
        .init(name: "duplicate layer names", yaml: "input: [2]\nlayers:\n  - {type: Linear, name: fc, units: 3}\n  - {type: Linear, name: fc, units: 3}\n", location: "4:26", message: "already used"),
        .init(name: "layer name with a dot", yaml: "input: [2]\nlayers:\n  - {type: Linear, name: a.b, units: 3}\n", location: "3:26", message: "cannot be a layer name"),
        .init(name: "duplicate key", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units: 3\n    units: 4\n", location: "4:5", message: "duplicate key 'units'"),
        .init(name: "unknown loss", yaml: valid + "\nloss: SoftmaxWithLos\n", location: "6:7", message: "did you mean 'SoftmaxWithLoss'"),
        .init(name: "unknown optimizer", yaml: valid + "\noptimizer: {type: SDG, lr: 0.1}\n", location: "6:19", message: "did you mean 'SGD'"),
        .init(name: "non-positive learning rate", yaml: valid + "\noptimizer: {type: SGD, lr: -0.1}\n", location: "6:28", message: "lr"),
        .init(name: "misspelt optimizer option", yaml: valid + "\noptimizer: {type: SGD, lr: 0.1, momentun: 0.9}\n", location: "6:33", message: "did you mean 'momentum'"),
        .init(name: "zero epochs", yaml: valid + "\ntrain: {epochs: 0}\n", location: "6:17", message: "at least 1"),
        .init(name: "misspelt train key", yaml: valid + "\ntrain: {batchsize: 10}\n", location: "6:9", message: "did you mean 'batch_size'"),
        .init(name: "shape error at the loss", yaml: "input: [1, 4, 4]\nlayers: [ReLU]\nloss: SoftmaxWithLoss\n", location: "3:7", message: "[1, 4, 4]"),
        .init(name: "shape error in a layer", yaml: "input: [2, 3]\nlayers:\n  - type: Softmax\n  - type: Flatten\n", location: "3:5", message: "[2, 3]"),
        .init(name: "layer too large for memory", yaml: "input: [1000000]\nlayers:\n  - type: Linear\n    units: 100000000\n", location: "4:12", message: "more than 1073741824 values"),
        .init(name: "missing value", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units:\n", location: "4:11", message: "value is missing"),
        .init(name: "not-a-number learning rate", yaml: valid + "\noptimizer: {type: SGD, lr: .nan}\n", location: "6:28", message: "not finite"),
        .init(name: "two documents", yaml: valid + "\n---\nname: again\n", location: "6:1", message: "YAML syntax"),
        .init(name: "deep nesting", yaml: "input: " + String(repeating: "[", count: 5000) + "\n", location: "1:", message: "YAML syntax"),
        .init(name: "a layer written as a complex key", yaml: "input: [2]\nlayers:\n  - {type: ReLU} :\n  - {type: Linear, units: 3}\n",
              location: "3:5", message: "keys must be plain names"),
        .init(name: "base-60 integer", yaml: "input: [2]\nlayers:\n  - type: Linear\n    units: 190000000000000000:0\n",
              location: "4:12", message: "base-60"),
        .init(name: "class names for another output size", yaml: valid + "\nclasses: [a, b]\n", location: "6:10", message: "outputs 3 scores"),
        .init(name: "classes not a list", yaml: valid + "\nclasses: cat\n", location: "6:10", message: "list of class names"),
        .init(name: "batch larger than any", yaml: valid + "\ntrain: {batch_size: 9223372036854775807}\n", location: "6:21", message: "at most 16777216"),
        .init(name: "explicit key over an alias bomb", yaml: """
            a1: &a1 [x, x, x, x, x, x, x, x, x, x]
            a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
            a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
            bomb: {? *a3 : 1, ? *a2 : 2}
            input: [2]
            layers: [ReLU]
            """, location: "4:8", message: "explicit mapping keys"),
        .init(name: "overlong key", yaml: "input: [2]\nlayers:\n  - {type: Linear, units: 3, " + String(repeating: "u", count: 129) + ": 1}\n",
              location: "3:30", message: "keys are at most 128"),
        // 65 two-byte characters: YAML's emitter measures keys in bytes and writes one over 128 as an explicit key,
        // which yamlText's reader refuses (found by the model-file fuzzer at 2.9M executions); so does a line break.
        .init(name: "overlong key in bytes", yaml: "input: [2]\nlayers:\n  - {type: Linear, units: 3, " + String(repeating: "Ҍ", count: 65) + ": 1}\n",
              location: "3:30", message: "at most 128 bytes"),
        .init(name: "key with a line break", yaml: "input: [2]\nlayers:\n  - {type: Linear, units: 3, \"a\\nb\": 1}\n",
              location: "3:30", message: "line break"),
        .init(name: "alias as a key", yaml: "a: &a x\nb: {*a : 1}\ninput: [2]\nlayers: [ReLU]\n", location: "2:5", message: "alias cannot be a mapping key"),
        .init(name: "alias bomb", yaml: """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            input: [2]
            layers:
              - type: Linear
                units: *e
            """, location: "1:1", message: "unknown key 'a'"),
    ]
}
