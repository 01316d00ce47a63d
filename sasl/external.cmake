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
install(TARGETS dance_external
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/sasl2)
install(FILES ${PROJECT_SOURCE_DIR}/include/dance/dance_sasl.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dance)
