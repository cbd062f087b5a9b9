# node-gyp build of the same addon as CMakeLists.txt (see scripts/build-gyp.sh, which builds it outside build/).
# Node-API headers come from node-gyp's nodedir (npm is configured with nodedir=/usr), node-addon-api from node_modules.
{
  'targets': [
    {
      'target_name': 'nodeano',
      'sources': [ '<!@(node scripts/native-config.cjs sources)' ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        'native',
        '<!@(node scripts/native-config.cjs blas-include)',
      ],
      'defines': [ 'NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NAPI_CPP_EXCEPTIONS', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS' ],
      # node's common.gypi adds -fno-exceptions -fno-rtti -std=gnu++17; this addon uses C++17 with exceptions and RTTI
      'cflags!': [ '-fno-exceptions' ],
      'cflags_cc!': [ '-fno-exceptions', '-fno-rtti', '-std=gnu++17' ],
      # no host-specific -march flag: kernels select AVX2/FMA at run time
      'cflags_cc': [ '-std=c++17', '-O3', '-fexceptions', '-fno-trapping-math', '-fno-math-errno', '-fvisibility=hidden', '-Wno-unused-parameter' ],
      'libraries': [ '<!@(node scripts/native-config.cjs blas-libs)', '-lpthread' ],
      # bind every symbol at load time: a missing kernel symbol fails require() instead of the first call
      'ldflags': [ '-Wl,-z,now' ],
    },
  ],
}
