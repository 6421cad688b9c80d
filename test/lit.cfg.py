# -*- Python -*-
import os
import platform
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "BNN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bnn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%bnn_src_root", config.bnn_src_root))
config.substitutions.append(("%bnn_obj_root", config.bnn_obj_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# FileCheck, not, count and the other LLVM test tools come from llvm-22-tools.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.bnn_tools_dir, config.llvm_tools_dir]
tools = [
    "bnn-opt",
    "bnn-compile",
    "bnn-train",
    "bnn-import",
    ToolSubst("bnn-fuzz", unresolved="ignore"),
    # Object inspection for bnn-compile's output (Debian's llvm-22 package).
    "llvm-nm",
    "llvm-objdump",
    "llvm-readobj",
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The C compiler that links compiled models: the clang of the same LLVM.
config.substitutions.append(
    ("%cc", os.path.join(config.llvm_tools_dir, "clang")))

# Compiled models run natively on an x86-64 host, and on AArch64 under
# qemu-aarch64 when the cross compiler is installed (gcc-aarch64-linux-gnu,
# qemu-user); -static needs no AArch64 sysroot at run time.
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64-run")
    # The register tiles of wider x86 targets run where the host has them
    # (x86-64-v3: AVX2; x86-64-v4: AVX-512 F/BW/DQ/VL).
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = set()
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        flags = set()
    if {"avx2", "fma", "bmi2", "movbe"} <= flags:
        config.available_features.add("x86-64-v3-run")
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        config.available_features.add("x86-64-v4-run")
aarch64_cc = shutil.which("aarch64-linux-gnu-gcc")
qemu_aarch64 = shutil.which("qemu-aarch64")
if aarch64_cc and qemu_aarch64:
    config.available_features.add("aarch64-run")
    config.substitutions.append(("%aarch64-cc", aarch64_cc))
    config.substitutions.append(("%qemu-aarch64", qemu_aarch64))

# C++ drivers of compiled models (test/e2e): clang++ of the same LLVM for the
# host, and the AArch64 cross g++ (g++-aarch64-linux-gnu) linked -static.
config.substitutions.append(
    ("%cxx", os.path.join(config.llvm_tools_dir, "clang++")))
aarch64_cxx = shutil.which("aarch64-linux-gnu-g++")
if aarch64_cxx:
    config.available_features.add("aarch64-cxx")
    config.substitutions.append(("%aarch64-cxx", aarch64_cxx))

# bnn-train's tests read Fashion-MNIST as Debian installs it
# (dataset-fashion-mnist, in scripts/install-deps.sh).
fashion_mnist = "/usr/share/datasets/fashion-mnist"
if os.path.exists(os.path.join(fashion_mnist, "train-images-idx3-ubyte.gz")):
    config.available_features.add("fashion-mnist")
    config.substitutions.append(("%fashion_mnist", fashion_mnist))

# The libFuzzer target exists when clang's fuzzer runtime was found at
# configure time (libclang-rt-22-dev).
if config.bnn_have_libfuzzer:
    config.available_features.add("libfuzzer")
