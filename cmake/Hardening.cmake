# Compiler warnings, hardening and sanitizer flags shared by every target.
set(DANCE_WARNINGS
  -Wall -Wextra -Wformat=2 -Wformat-security -Wshadow -Wvla
  -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual
  -Wwrite-strings -Wundef -Wimplicit-fallthrough
  -Wswitch-enum)
if(DANCE_WERROR)
  list(APPEND DANCE_WARNINGS -Werror)
endif()
add_compile_options(${DANCE_WARNINGS})

# Hardening: stack protector, fortify, RELRO/BIND_NOW, PIE, CET.
add_compile_options(-fstack-protector-strong -fstack-clash-protection
                    -fcf-protection=full -fno-strict-overflow -fno-common)
if(NOT DANCE_SANITIZE AND NOT DANCE_FUZZ)
  add_compile_definitions($<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()
add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
# Executables are PIE; shared objects are PIC (CMAKE_POSITION_INDEPENDENT_CODE).
include(CheckPIESupported)
check_pie_supported()

if(DANCE_SANITIZE)
  set(DANCE_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_compile_options(${DANCE_SAN_FLAGS})
  add_link_options(${DANCE_SAN_FLAGS})
  # Sanitizer defaults (leaks are errors, every report aborts) built into
  # every executable created after this point; see sanitizer_options.c.
  add_library(dance_sanitizer_options OBJECT
              ${CMAKE_CURRENT_LIST_DIR}/sanitizer_options.c)
  link_libraries(
    "$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:dance_sanitizer_options>")
endif()

# libFuzzer builds (fuzz/CMakeLists.txt): clang only. Everything is
# instrumented for coverage and checked by ASan+UBSan; only the fuzz
# targets link libFuzzer's main (-fsanitize=fuzzer).
if(DANCE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DANCE_FUZZ needs clang: configure with CC=clang")
  endif()
  if(DANCE_SANITIZE)
    message(FATAL_ERROR "DANCE_FUZZ and DANCE_SANITIZE are separate builds")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
