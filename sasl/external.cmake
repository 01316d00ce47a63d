# libdance_external.so: Cyrus SASL server mechanism EXTERNAL with DANE.
# Built into its own directory (DANCE_SASL_PLUGIN_DIR) so that tests can
# point SASL_PATH at a directory holding this plugin and nothing else.
find_path(SASL2_INCLUDE_DIR sasl/saslplug.h REQUIRED)
set(DANCE_SASL_PLUGIN_DIR ${CMAKE_BINARY_DIR}/sasl/plugins
    CACHE INTERNAL "build-tree directory of libdance_external.so")

add_library(dance_external MODULE ${CMAKE_CURRENT_SOURCE_DIR}/dance_external.c)
target_include_directories(dance_external PRIVATE ${SASL2_INCLUDE_DIR})
target_link_libraries(dance_external PRIVATE dance Threads::Threads)
target_compile_definitions(dance_external PRIVATE _GNU_SOURCE)
target_link_options(dance_external PRIVATE -Wl,--no-undefined)
set_target_properties(dance_external PROPERTIES
  PREFIX "lib" OUTPUT_NAME dance_external
  LIBRARY_OUTPUT_DIRECTORY ${DANCE_SASL_PLUGIN_DIR})
# Installed where the system's libsasl2 looks for plugins (Debian:
# /usr/lib/<multiarch>/sasl2), whatever CMAKE_INSTALL_PREFIX is.
pkg_get_variable(DANCE_SASL2_LIBDIR libsasl2 libdir)
if(NOT DANCE_SASL2_LIBDIR)
  set(DANCE_SASL2_LIBDIR ${CMAKE_INSTALL_FULL_LIBDIR})
endif()
set(DANCE_SASL_PLUGINDIR ${DANCE_SASL2_LIBDIR}/sasl2 CACHE PATH
    "directory where libsasl2 loads plugins from")
install(TARGETS dance_external
        LIBRARY DESTINATION ${DANCE_SASL_PLUGINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/dance/dance_sasl.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dance)
