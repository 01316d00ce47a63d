# dance_certmap.so: slapd module that maps a client's certificate chain to
# its DANE identity (moduleload dance_certmap.so [config=PATH]).
#
# dance_certmap_core holds the parts that do not need slapd (DN escaping,
# peer chains from GnuTLS and OpenSSL sessions), so unit tests can link
# them; the module adds the slapd glue in dance_certmap.c.
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls)
find_library(LDAP_LIBRARY ldap REQUIRED)
find_library(LBER_LIBRARY lber REQUIRED)
find_path(LDAP_INCLUDE_DIR ldap.h REQUIRED)

set(DANCE_SLAPD_MODULEDIR /usr/lib/ldap CACHE PATH
    "Where slapd loads modules from (Debian: /usr/lib/ldap)")

add_library(dance_certmap_core STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/certmap_dn.c
  ${CMAKE_CURRENT_SOURCE_DIR}/certmap_chain.c
  ${CMAKE_CURRENT_SOURCE_DIR}/certmap_cache.c)
target_include_directories(dance_certmap_core PUBLIC
  ${CMAKE_CURRENT_SOURCE_DIR} ${LDAP_INCLUDE_DIR})
target_compile_definitions(dance_certmap_core PRIVATE _GNU_SOURCE)
target_link_libraries(dance_certmap_core PUBLIC PkgConfig::GNUTLS
  OpenSSL::SSL OpenSSL::Crypto ${LDAP_LIBRARY} ${LBER_LIBRARY}
  Threads::Threads)

# A MODULE: slapd dlopens it; symbols of slapd (register_certificate_map_
# function, dnNormalize, slap_debug, ...) resolve at load time.
add_library(dance_certmap MODULE ${CMAKE_CURRENT_SOURCE_DIR}/dance_certmap.c)
set_target_properties(dance_certmap PROPERTIES PREFIX "")
target_compile_definitions(dance_certmap PRIVATE _GNU_SOURCE)
target_link_libraries(dance_certmap PRIVATE dance_certmap_core dance)
install(TARGETS dance_certmap LIBRARY DESTINATION ${DANCE_SLAPD_MODULEDIR})

# Hooks called by tests/CMakeLists.txt for the tests of this module.
function(dance_test_setup_unit_certmap target)
  target_link_libraries(${target} PRIVATE dance_certmap_core)
  target_compile_definitions(${target} PRIVATE DANCE_HAVE_CERTMAP=1)
endfunction()
function(dance_test_setup_e2e_slapd target)
  add_dependencies(${target} dance_certmap)
  target_compile_definitions(${target} PRIVATE
    DANCE_CERTMAP_PATH="$<TARGET_FILE:dance_certmap>")
  if(DANCE_SANITIZE)
    # slapd is not built with AddressSanitizer: its runtime must be
    # preloaded for slapd to load the instrumented module.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    target_compile_definitions(dance_testsupport PRIVATE
      DANCE_SLAPD_PRELOAD="${asan}")
  endif()
endfunction()
# bench/bench_slapd.c starts the DNS rig and slapd itself: it needs the
# test support's process and rig code (and its definitions), libldap and
# the module.
function(dance_bench_setup_bench_slapd target)
  if(NOT TARGET dance_testsupport OR NOT TARGET dance-rig)
    # no test rig in this build: leave the benchmark out
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    return()
  endif()
  target_sources(${target} PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/support/proc.c
    ${PROJECT_SOURCE_DIR}/tests/support/rig.c)
  target_include_directories(${target} PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/support ${LDAP_INCLUDE_DIR})
  target_compile_definitions(${target} PRIVATE
    $<TARGET_PROPERTY:dance_testsupport,INTERFACE_COMPILE_DEFINITIONS>
    DANCE_CERTMAP_PATH="$<TARGET_FILE:dance_certmap>")
  target_link_libraries(${target} PRIVATE ${LDAP_LIBRARY} ${LBER_LIBRARY})
  add_dependencies(${target} dance_certmap dance-rig)
endfunction()

# fuzz/fuzz_certmap_dn.c needs the module's DN code, libldap and
# libunistring (for fuzz/CMakeLists.txt, which calls
# dance_fuzz_setup_<name>(target) when a part defines it).
function(dance_fuzz_setup_fuzz_certmap_dn target)
  target_link_libraries(${target} PRIVATE dance_certmap_core
                        ${UNISTRING_LIBRARY})
endfunction()
