/// Every layer kind `build`, the model file and help know, in the order
/// `help build` lists them. A new kind is one type conforming to `Layer`
/// and one line here.
public enum LayerRegistry {
    static let kinds: [any Layer.Type] = [
        DenseLayer.self,
        Conv2DLayer.self,
        MaxPooling2DLayer.self,
        FlattenLayer.self,
        DropoutLayer.self,
        BatchNormalizationLayer.self,
        ActivationLayer.self,
        AveragePooling2DLayer.self,
        GlobalAveragePooling2DLayer.self,
    ]

    /// Every kind's declaration, in order.
    public static var declarations: [LayerDeclaration] { kinds.map { $0.declaration } }

    /// The kind whose `build` word is `word` (`dense`, `conv`, ...).
    static func kind(word: String) -> (any Layer.Type)? {
        kinds.first { $0.declaration.word == word }
    }

    /// The kind whose Keras class is `className` (`Dense`, `Conv2D`, ...).
    static func kind(className: String) -> (any Layer.Type)? {
        kinds.first { $0.declaration.className == className }
    }
}
