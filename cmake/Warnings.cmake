# Warnings live on an INTERFACE target that every project target links, so the set is defined once.
add_library(bcp_warnings INTERFACE)
target_compile_options(bcp_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  $<$<BOOL:${BCP_WERROR}>:-Werror>)
