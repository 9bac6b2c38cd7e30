{
  "targets": [
    {
      "target_name": "disptap",
      # Every .cc under native/ except fuzz harnesses: each native class has its own folder.
      "sources": ["<!@(node -e \"const fs=require('fs'),p=require('path');const w=d=>fs.readdirSync(d,{withFileTypes:true}).flatMap(e=>e.isDirectory()?(e.name==='fuzz'?[]:w(p.join(d,e.name))):e.name.endsWith('.cc')?[p.join(d,e.name)]:[]);console.log(w('native').sort().join(' '))\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      # SWALLOW_UNTHROWABLE_EXCEPTIONS: a native method that throws while its worker is being
      # terminated must not abort the process (node-addon-api otherwise calls Error::Fatal).
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      # One exception model: none. node-addon-api is built with NAPI_DISABLE_CPP_EXCEPTIONS (errors
      # go through napi_throw, see native/common/errors.h) and no code here throws or catches, so the
      # addon is compiled with -fno-exceptions, as node's common.gypi does by default. Only the
      # language standard is swapped for ours.
      # Hidden visibility: the module exports only its N-API entry points (NAPI_MODULE_EXPORT), so
      # the compiler may inline across our own functions instead of calling them through the PLT
      # (the per-datagram cmsg walk called FindKind, LoadInt and Decode that way).
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-exceptions", "-fvisibility=hidden", "-fvisibility-inlines-hidden"],
      "cflags_cc!": ["-std=gnu++17"],
      "conditions": [
        ["OS!='linux'", { "type": "none" }]
      ]
    }
  ]
}
