from libdesk.cli import main

main()
