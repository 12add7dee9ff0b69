# BCP_SANITIZE=address,undefined builds every target with those sanitizers (scripts/test --sanitize).
set(BCP_SANITIZE "" CACHE STRING "Comma-separated sanitizers (e.g. address,undefined)")
if(BCP_SANITIZE)
  add_compile_options(-fsanitize=${BCP_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BCP_SANITIZE})
endif()

# BCP_FUZZ builds the libFuzzer targets of fuzz/ (scripts/fuzz). libFuzzer ships with clang only,
# so the whole tree is instrumented for coverage with clang; without BCP_FUZZ the same targets
# are still built, with a plain main() that runs given inputs, so the regression inputs run as
# ctests in every build.
option(BCP_FUZZ "Build the fuzz targets with libFuzzer (clang)" OFF)
if(BCP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BCP_FUZZ needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  if(NOT BCP_SANITIZE)
    # A fuzzer without ASan and UBSan finds crashes only; with them, the memory errors too.
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
