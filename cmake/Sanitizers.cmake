# BCP_SANITIZE=address,undefined builds every target with those sanitizers (scripts/test --sanitize).
set(BCP_SANITIZE "" CACHE STRING "Comma-separated sanitizers (e.g. address,undefined)")
if(BCP_SANITIZE)
  add_compile_options(-fsanitize=${BCP_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BCP_SANITIZE})
endif()
