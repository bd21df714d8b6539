import NNLayers
import NNPlugins

// The plugin's two C entry points (see Plugins/README.md).

/// The plugin's name, version and plugin API version, as JSON.
@_cdecl("nnkit_plugin_describe")
public func nnkitPluginDescribe() -> UnsafePointer<CChar> {
    let text: StaticString = #"{"name": "example-layers", "version": "1.0.0", "api": 1}"#
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Registers `Swish` and `Mish` with the host's registry; returns `NULL` or an error message.
@_cdecl("nnkit_plugin_register")
public func nnkitPluginRegister(_ host: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? {
    PluginHost.result {
        let host = PluginHost.from(host)
        try host.register(Swish.self)
        try host.register(Mish.self)
    }
}

