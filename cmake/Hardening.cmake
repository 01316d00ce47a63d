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
endif()
